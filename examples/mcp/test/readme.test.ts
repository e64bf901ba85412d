import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// The recipe in @portcullis/http's README is this example's server, which server.test.ts runs.
const readme = readFileSync(new URL('../../../packages/http/README.md', import.meta.url), 'utf8')
const recipe = readme.split('\n## Protecting an MCP server\n')[1]!.split('\n## ')[0]!
const server = readFileSync(new URL('../src/server.ts', import.meta.url), 'utf8')

describe('the "Protecting an MCP server" recipe of the http README', () => {
  it('shows src/server.ts in full', () => {
    const blocks = [...recipe.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1])
    expect(blocks).toEqual([server])
  })

  it('installs every package the code imports', () => {
    const install = /```sh\npnpm add ([^\n]+)\n```/.exec(recipe)![1]!.split(' ')
    const imported = [...server.matchAll(/from '((?:@[\w-]+\/)?[\w-]+)/g)].map((match) => match[1]!)
    for (const name of imported) expect(install).toContain(name)
  })

  it('names the example package that `pnpm --filter` starts', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    expect(recipe).toContain(`pnpm --filter ${manifest.name} start`)
    expect(manifest.scripts.start).toBe('tsx src/main.ts')
  })
})
