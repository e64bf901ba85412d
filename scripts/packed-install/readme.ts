// What a user copies out of a README: the install commands and the quick start's code.

/**
 * The text of one `## Heading` section of a Markdown document, up to the next `## ` heading.
 *
 * @example
 * section('# A\n## Install\npnpm add a\n## Next\n', 'Install') // 'pnpm add a'
 */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n')
  const start = lines.findIndex((line) => line === `## ${heading}` || line.startsWith(`## ${heading} `))
  if (start < 0) return ''
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '))
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n')
}

/**
 * The packages named by every `pnpm add` in a text (fenced or inline), without flags or comments.
 *
 * @example
 * installed('pnpm add @portcullis/core zod # optional') // ['@portcullis/core', 'zod']
 */
export function installed(text: string): string[] {
  const names = new Set<string>()
  for (const [, args] of text.matchAll(/pnpm add ([^`\n#]+)/g))
    for (const word of args!.trim().split(/\s+/)) if (word && !word.startsWith('-')) names.add(word)
  return [...names]
}

/**
 * The fenced ```ts blocks of a text, in order.
 *
 * @example
 * tsBlocks('```ts\nconst a = 1\n```') // ['const a = 1\n']
 */
export function tsBlocks(text: string): string[] {
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!)
}

/**
 * The npm package names a module imports (static, dynamic, side-effect), builtins and relative paths left out.
 *
 * @example
 * importedPackages("import { z } from 'zod'\nimport 'node:http'") // ['zod']
 */
export function importedPackages(code: string): string[] {
  const names = new Set<string>()
  for (const [, specifier] of code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]/g)) {
    if (specifier!.startsWith('node:') || specifier!.startsWith('.')) continue
    const parts = specifier!.split('/')
    names.add(specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!)
  }
  return [...names]
}
