import { describe, it } from 'vitest'
import { packagedBinary, run, tempDir, writeBundle } from './child.js'
import { assertAllPassed, bundle, serveFixture } from './support.js'

const deno = packagedBinary('deno')

// The `deno` npm package ships its binary; skipped only where its install placed none.
describe.skipIf(!deno)('on Deno', () => {
  it('passes the runtime suite from a bundle built with the "deno" condition, allowed loopback only', async () => {
    const { fixture, fixtureUrl } = await serveFixture()
    const dir = await tempDir('deno')
    const file = await writeBundle(dir, 'cli.mjs', await bundle('cli', { conditions: ['deno'] }))
    const output = await run(
      deno!,
      // Core reads no environment; graphql-yoga and tRPC look at NODE_ENV.
      [
        'run',
        '--no-config',
        '--no-lock',
        '--allow-net=127.0.0.1',
        `--allow-env=NODE_ENV,${Object.keys(fixture.env).join(',')}`,
        file,
        fixtureUrl,
      ],
      { env: { DENO_DIR: dir, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', ...fixture.env } },
    )
    assertAllPassed(JSON.parse(output))
  }, 60_000)
})
