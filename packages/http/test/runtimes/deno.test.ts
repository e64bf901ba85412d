import { describe, it } from 'vitest'
import { packagedBinary, run, tempDir, writeBundle } from '../../../core/test/runtimes/child.js'
import { assertAllPassed, bundle } from './support.js'

const deno = packagedBinary('deno')

describe.skipIf(!deno)('on Deno', () => {
  it('Hono middleware and the Next helpers pass the suite with no permissions at all (no env, no net)', async () => {
    const dir = await tempDir('http-deno')
    const file = await writeBundle(
      dir,
      'cli.mjs',
      await bundle('cli', { conditions: ['deno'], format: 'esm' }),
    )
    const output = await run(deno!, ['run', '--no-config', '--no-lock', '--no-prompt', file], {
      env: { DENO_DIR: dir, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    })
    assertAllPassed(JSON.parse(output))
  }, 60_000)
})
