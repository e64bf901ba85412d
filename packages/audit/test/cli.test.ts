import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { type AuthContext, createAuthProcedures, describeRules } from '@portcullis/trpc'
import { initTRPC } from '@trpc/server'
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../../', import.meta.url))
// The file the package's `bin` declares, as an install links it.
const { bin } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  bin: { portcullis: string }
}
const cli = fileURLToPath(new URL(`../${bin.portcullis}`, import.meta.url))
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

/** Runs the built `portcullis` bin in a child process; bounded by a timeout. */
async function portcullis(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { timeout: 20_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

// The bin runs from the built packages, as `pnpm add -D @portcullis/audit` installs it.
beforeAll(async () => {
  const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url))
  for (const name of ['core', 'trpc', 'yoga', 'audit'])
    await run(process.execPath, [tsc, '-p', `${root}packages/${name}/tsconfig.build.json`], {
      timeout: 120_000,
    })
}, 240_000)

describe('portcullis audit, from the built package', () => {
  it('prints who can call what in a router, and ends though the module keeps a timer open', async () => {
    const { code, stdout } = await portcullis('audit', fixture('router.mjs'))
    expect(code).toBe(0)
    expect(stdout).toBe(
      [
        'PATH            KIND      ACCESS      REQUIRES',
        'admin           mutation  restricted  identity (procedure); roles admin (middleware)',
        'hello           query     public      -',
        'reports.create  mutation  restricted  identity (procedure); scopes write:reports (middleware)',
        'reports.list    query     restricted  identity (procedure); scopes read:reports (middleware)',
        '',
      ].join('\n'),
    )
  })

  it('prints the same rule set as describeRules with --json', async () => {
    const { code, stdout } = await portcullis('audit', fixture('router.mjs'), '--json')
    expect(code).toBe(0)
    const { appRouter, closePool } = await import(fixture('router.mjs'))
    closePool()
    expect(JSON.parse(stdout)).toEqual(describeRules(appRouter))
  })

  it('describes a GraphQL schema, with the plugin options that change it', async () => {
    const { code, stdout } = await portcullis('audit', fixture('schema.mjs'), '--json', '--protect-all')
    expect(code).toBe(0)
    expect(
      JSON.parse(stdout).entries.map((entry: { path: string; access: string }) => [entry.path, entry.access]),
    ).toEqual([
      ['Mutation.publish', 'restricted'],
      ['Query.health', 'public'],
      ['Query.me', 'authenticated'],
    ])
  })

  it('fails --fail-on unguarded-mutation once a mutation loses its guard, and --diff shows what opened', async () => {
    expect((await portcullis('audit', fixture('router.mjs'), '--fail-on', 'unguarded-mutation')).code).toBe(0)
    const source = await readFile(fixture('router.mjs'), 'utf8')
    const guard = "protectedProcedure.use(requireScopes(['write:reports'])).mutation"
    expect(source).toContain(guard)
    const copy = fixture('router-unguarded.tmp.mjs')
    await writeFile(copy, source.replace(guard, 'publicProcedure.mutation'))
    onTestFinished(() => rm(copy, { force: true }))
    const failed = await portcullis('audit', copy, '--fail-on', 'unguarded-mutation,custom')
    expect(failed.code).toBe(1)
    expect(failed.stderr).toBe('unguarded-mutation: reports.create\n')

    const before = fixture('before.tmp.json')
    const after = fixture('after.tmp.json')
    onTestFinished(() =>
      Promise.all([rm(before, { force: true }), rm(after, { force: true })]).then(() => {}),
    )
    await writeFile(before, (await portcullis('audit', fixture('router.mjs'), '--json')).stdout)
    await writeFile(after, (await portcullis('audit', copy, '--json')).stdout)
    const diff = await portcullis('audit', '--diff', before, after, '--fail-on', 'opened')
    expect(diff.code).toBe(1)
    expect(diff.stdout).toBe(
      '!  opened     reports.create  restricted -> public  - identity; - scopes write:reports\n',
    )
    expect((await portcullis('audit', '--diff', before, before, '--fail-on', 'opened')).code).toBe(0)
  })

  it('answers a usage error with exit 2 and a message naming the problem', async () => {
    const unknown = await portcullis('audit', fixture('router.mjs'), '--fail-on', 'nothing-public')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('--fail-on: unknown rule set "nothing-public"')
    const none = await portcullis('audit', fixture('missing.mjs'))
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('missing.mjs')
  })

  it('reads a router made by another copy of @portcullis/trpc (the one the bin loads)', async () => {
    // Sources here, the built package there: two module instances, as when the app and the CLI
    // resolve different copies. The marks travel on a Symbol.for key, so nothing turns `custom`.
    const t = initTRPC.context<AuthContext>().create()
    const { protectedProcedure, requireRoles } = createAuthProcedures(t)
    const router = t.router({ wipe: protectedProcedure.use(requireRoles(['admin'])).mutation(() => 'wiped') })
    const built = (await import(pathToFileURL(`${root}packages/trpc/dist/index.js`).href)) as {
      describeRules: typeof describeRules
    }
    expect(built.describeRules).not.toBe(describeRules)
    expect(built.describeRules(router)).toEqual(describeRules(router))
    expect(built.describeRules(router).entries[0]).toMatchObject({ access: 'restricted', custom: [] })
  })
})
