import { readFileSync } from 'node:fs'
import { formatTable, main } from '@portcullis/audit'
import { describeRules as describeRouter } from '@portcullis/trpc'
import { describeRules as describeSchema } from '@portcullis/yoga'
import { describe, expect, it } from 'vitest'
import { router, schema } from '../src/audit.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const module = new URL('../src/audit.ts', import.meta.url).pathname

/** The text block after `<!-- audit:<name> -->` in the README. */
function tableIn(name: string): string | undefined {
  return new RegExp(`<!-- audit:${name} -->\\n\`\`\`text\\n([\\s\\S]*?)\\n\`\`\``).exec(readme)?.[1]
}

async function audit(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await main(['audit', module, ...args], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe("the demo's rules", () => {
  it('are the tables the README shows', () => {
    expect(tableIn('trpc')).toBe(formatTable(describeRouter(router)))
    expect(tableIn('graphql')).toBe(formatTable(describeSchema(schema)))
  })

  it('guard every mutation and leave nothing to an opaque middleware (the CI gate)', async () => {
    const trpc = await audit(
      '--export',
      'router',
      '--fail-on',
      'unguarded-mutation,unguarded-subscription,custom',
    )
    expect(trpc).toEqual({ code: 0, out: tableIn('trpc'), err: '' })
    const graphql = await audit(
      '--export',
      'schema',
      '--fail-on',
      'unguarded-mutation,unguarded-subscription',
    )
    expect(graphql).toEqual({ code: 0, out: tableIn('graphql'), err: '' })
  })

  it('keep the public surface to what the demo means to be public', async () => {
    const { code, err } = await audit('--export', 'router', '--fail-on', 'public-field')
    expect(code).toBe(1)
    expect(err).toBe('public-field: hello\npublic-field: whoami')
    const both = await audit('--fail-on', 'unguarded-mutation')
    expect(both).toMatchObject({
      code: 2,
      err: `${module} exports several (router, schema): pick one with --export`,
    })
  })
})
