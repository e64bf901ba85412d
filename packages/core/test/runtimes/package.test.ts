import { cp, mkdir, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { run, tempDir } from './child.js'

const require = createRequire(import.meta.url)
const core = fileURLToPath(new URL('../../', import.meta.url))
const tsc = require.resolve('typescript/bin/tsc')

// What a web-only project does with core: no @types/node, and the library's .d.ts checked too.
const CONSUMER = `
import { type AuthError, createAuth, createSessions, type Identity, memoryStore, type Store } from '@portcullis/core'
import { redisStore } from '@portcullis/core/redis'

const auth = createAuth({ issuer: 'https://id.example.com/', audience: 'api', jwks: 'https://id.example.com/jwks' })
const sessions = createSessions({ secret: 'a-session-secret-of-at-least-32-bytes', issuer: 'https://api.example.com', audience: 'api' })
const store: Store = memoryStore()
export default {
  async fetch(request: Request): Promise<Response> {
    const result = await auth.authenticate(request)
    if (result.status === 'rejected') {
      const error: AuthError = result.error
      return new Response(error.code, { status: error.status })
    }
    const identity: Identity | null = result.status === 'authenticated' ? result.identity : null
    const issued = await sessions.issue({ subject: identity?.subject ?? 'anonymous' })
    return Response.json({ jwks: typeof sessions.jwks, store: typeof store.get, redis: typeof redisStore, issued: issued.expiresAt })
  },
}
`

describe('the built package', () => {
  it('type-checks in web-only projects (lib DOM or WebWorker, types [], no skipLibCheck) and bundles for every runtime', async () => {
    const dir = await tempDir('dts')
    const pkg = join(dir, 'node_modules', '@portcullis', 'core')
    await mkdir(pkg, { recursive: true })
    await cp(join(core, 'package.json'), join(pkg, 'package.json'))
    await symlink(
      dirname(require.resolve('jose/package.json', { paths: [core] })),
      join(dir, 'node_modules', 'jose'),
    )
    await run(
      process.execPath,
      [
        tsc,
        '-p',
        join(core, 'tsconfig.build.json'),
        '--outDir',
        join(pkg, 'dist'),
        '--sourceMap',
        'false',
        '--inlineSources',
        'false',
      ],
      { timeout: 90_000 },
    )
    await writeFile(join(dir, 'index.ts'), CONSUMER)
    for (const lib of [
      ['ES2022', 'DOM'],
      ['ES2022', 'WebWorker'],
    ]) {
      const config = join(dir, `tsconfig.${lib[1]}.json`)
      await writeFile(
        config,
        JSON.stringify({
          compilerOptions: {
            lib,
            types: [],
            skipLibCheck: false,
            strict: true,
            noEmit: true,
            target: 'ES2022',
            module: 'ESNext',
            moduleResolution: 'Bundler',
          },
          files: ['index.ts'],
        }),
      )
      const output = await run(process.execPath, [tsc, '-p', config], { timeout: 90_000 }).catch(
        (error: Error) => error.message,
      )
      expect(output, `lib ${lib.join(', ')}`).toBe('')
    }
    // Each target's bundler conditions resolve the one runtime-neutral entry, which needs no Node built-in.
    for (const conditions of [
      ['workerd', 'worker', 'browser'],
      ['edge-light', 'worker', 'browser'],
      ['deno'],
      ['bun'],
      ['browser'],
      ['node'],
    ]) {
      const result = await build({
        entryPoints: [join(dir, 'index.ts')],
        absWorkingDir: dir,
        bundle: true,
        write: false,
        metafile: true,
        platform: 'neutral',
        mainFields: ['module', 'main'],
        conditions,
        logLevel: 'silent',
      })
      expect(Object.keys(result.metafile.inputs), conditions.join(', ')).toContain(
        'node_modules/@portcullis/core/dist/index.js',
      )
    }
  }, 180_000)
})
