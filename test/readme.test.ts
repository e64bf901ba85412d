import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// The root README's quick starts are the files of examples/quick-starts/src, which CI runs from a
// packed install (scripts/packed-install.ts): here, only that the README shows exactly those files.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const quickStarts = readme.split('\n## Quick starts\n')[1]!.split('\n## ')[0]!
const blocks = [...quickStarts.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!)
const dir = new URL('../examples/quick-starts/src/', import.meta.url)

describe('the root README quick starts', () => {
  it('are the files of examples/quick-starts/src, each named in its first line, in full', () => {
    const files = readdirSync(dir).filter((file) => file.endsWith('.ts'))
    expect(blocks).toHaveLength(files.length)
    for (const block of blocks) {
      const file = /^\/\/ examples\/quick-starts\/src\/([\w-]+\.ts)\n/.exec(block)?.[1]
      expect(files).toContain(file)
      expect(block).toBe(readFileSync(new URL(file!, dir), 'utf8'))
    }
  })

  it('list in their install line every package the files import', () => {
    const install = /```sh\nnpm i ([^\n]+)\n```/.exec(quickStarts)![1]!.split(' ')
    for (const block of blocks)
      for (const [, name] of block.matchAll(/from '((?:@[\w-]+\/)?[\w-]+)/g))
        if (!name!.startsWith('node')) expect(install).toContain(name)
  })
})
