import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, it, onTestFinished } from 'vitest'
import { assertAllPassed, bundle, serveFixture } from './support.js'

describe('on Node.js', () => {
  it('passes the runtime suite from a platform-neutral bundle', async () => {
    const { fixture } = await serveFixture()
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-node-'))
    onTestFinished(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'suite.mjs')
    await writeFile(file, await bundle('suite', { conditions: ['node'] }))
    const { runSuite } = (await import(
      /* @vite-ignore */ pathToFileURL(file).href
    )) as typeof import('./suite/suite.js')
    assertAllPassed(await runSuite(fixture, { ...process.env, ...fixture.env }))
  }, 60_000)
})
