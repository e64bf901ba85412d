import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// A changeset whose frontmatter a formatter rewrote (`## "@portcullis/yoga": minor`) is silently
// dropped by `changeset version`: each must open with its bumps between two `---` lines.
const dir = new URL('../.changeset/', import.meta.url)
const manifests = readdirSync(new URL('../packages/', import.meta.url)).map(
  (name) =>
    JSON.parse(readFileSync(new URL(`../packages/${name}/package.json`, import.meta.url), 'utf8')).name,
)

describe('changesets', () => {
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.md') && name !== 'README.md')) {
    it(`${file} names published packages and a bump in its frontmatter`, () => {
      const text = readFileSync(new URL(file, dir), 'utf8')
      const header = /^---\n((?:"[^"]+": (?:major|minor|patch)\n)+)---\n\n\S/.exec(text)
      expect(header, file).not.toBeNull()
      for (const [, name] of header![1]!.matchAll(/"([^"]+)"/g)) expect(manifests).toContain(name)
    })
  }
})
