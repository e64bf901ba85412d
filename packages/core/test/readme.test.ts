import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it, vi } from 'vitest'

// The README's code runs as pasted: each ```ts block is written to a module and imported.
// The Sessions section's code runs in test/sessions/http.test.ts; here, everything before it.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8').split('\n## Sessions')[0]!
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!)
const dir = new URL('./.readme-tmp/', import.meta.url)
mkdirSync(dir, { recursive: true })
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function run(code: string, index: number): Promise<Record<string, unknown>> {
  const file = new URL(`block-${index}.ts`, dir)
  writeFileSync(file, `${code}\nexport {}\n`)
  return import(/* @vite-ignore */ file.href)
}

describe('README', () => {
  it('has a quick start and recipes', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8)
  })

  it('runs the quick start as pasted', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    await run(blocks[0]!, 0)
    expect(log).toHaveBeenCalledWith('hello alice')
    log.mockRestore()
  })

  it('builds every recipe without a TypeError', async () => {
    vi.stubEnv('JWT_SECRET', 'c'.repeat(32))
    vi.stubEnv('JWT_SECRET_PREVIOUS', 'p'.repeat(32))
    for (const [index, code] of blocks.slice(1).entries()) {
      expect(code).toContain('createAuth(')
      await expect(run(code, index + 1)).resolves.toBeDefined()
    }
    vi.unstubAllEnvs()
  })
})
