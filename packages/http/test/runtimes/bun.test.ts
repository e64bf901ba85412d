import { describe, it } from 'vitest'
import { packagedBinary, run, tempDir, writeBundle } from '../../../core/test/runtimes/child.js'
import { assertAllPassed, bundle } from './support.js'

// Core's runtime tests install Bun (the `bun` npm package ships its binary) and run it; so do these.
const bun = packagedBinary('bun')

describe.skipIf(!bun)('on Bun', () => {
  it('Hono middleware and the Next helpers pass the suite from a bundle built with the "bun" condition', async () => {
    const file = await writeBundle(
      await tempDir('http-bun'),
      'cli.mjs',
      await bundle('cli', { conditions: ['bun'], format: 'esm' }),
    )
    const output = await run(bun!, ['run', file], { env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0' } })
    assertAllPassed(JSON.parse(output))
  }, 60_000)
})
