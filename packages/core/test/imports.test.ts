import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const src = fileURLToPath(new URL('../src/', import.meta.url))
const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => join(src, file))
const imports = new Map(
  files.map((file) => [
    file,
    [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((match) =>
      resolve(dirname(file), match[1]!.replace(/\.js$/, '.ts')),
    ),
  ]),
)

describe('core sources', () => {
  it('have no import cycles, type-only imports included', () => {
    const cycles: string[] = []
    const done = new Set<string>()
    const path: string[] = []
    const visit = (file: string) => {
      const at = path.indexOf(file)
      if (at !== -1)
        return void cycles.push(
          path
            .slice(at)
            .map((step) => relative(src, step))
            .join(' -> '),
        )
      if (done.has(file)) return
      path.push(file)
      for (const next of imports.get(file) ?? []) visit(next)
      path.pop()
      done.add(file)
    }
    for (const file of files) visit(file)
    expect(cycles).toEqual([])
  })

  it('use no node: module, Buffer, require or process global', () => {
    // Code only: comments (TSDoc examples mention process.env) and message strings are left out.
    const code = (file: string) =>
      readFileSync(file, 'utf8')
        .replace(/^\s*(\/\/|\/?\*).*$/gm, '')
        .replace(/'[^'\n]*'|`[^`]*`/g, (literal) => (literal.startsWith("'node:") ? literal : "''"))
    const nodeImports = files.filter((file) => /'node:|\brequire\(|\bBuffer\b|\bprocess\./.test(code(file)))
    expect(nodeImports.map((file) => relative(src, file))).toEqual([])
  })

  it("name CryptoKey through jose's type, so declarations type-check without the DOM lib", () => {
    // The global CryptoKey type exists only with lib DOM or WebWorker; Node projects have neither.
    const global = files.filter((file) => {
      const text = readFileSync(file, 'utf8').replace(/^\s*(\/\/|\/?\*).*$/gm, '')
      const used = /(?<![.\w])CryptoKey(?!Pair)\b/.test(text.replace(/globalThis\.CryptoKey/g, ''))
      return used && !/import[^;]*\bCryptoKey\b[^;]*from 'jose'/.test(text)
    })
    expect(global.map((file) => relative(src, file))).toEqual([])
  })
})
