import { describe, it } from 'vitest'
import { packagedBinary, run, tempDir, writeBundle } from './child.js'
import { assertAllPassed, bundle, serveFixture } from './support.js'

const bun = packagedBinary('bun')

// The `bun` npm package ships its binary; skipped only where its install placed none.
describe.skipIf(!bun)('on Bun', () => {
  it('passes the runtime suite from a bundle built with the "bun" condition', async () => {
    const { fixture, fixtureUrl } = await serveFixture()
    const file = await writeBundle(
      await tempDir('bun'),
      'cli.mjs',
      await bundle('cli', { conditions: ['bun'] }),
    )
    const output = await run(bun!, ['run', file, fixtureUrl], {
      env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', ...fixture.env },
    })
    assertAllPassed(JSON.parse(output))
  }, 60_000)
})
