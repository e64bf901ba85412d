import { Miniflare } from 'miniflare'
import { describe, it, onTestFinished } from 'vitest'
import { assertAllPassed, bundle, serveFixture } from './support.js'

describe('on Cloudflare workerd (miniflare), without nodejs_compat', () => {
  it('passes the runtime suite from a bundle built with the "workerd" and "worker" conditions', async () => {
    const { fixture } = await serveFixture()
    const script = await bundle('worker', { conditions: ['workerd', 'worker', 'browser'] })
    // No compatibility flags: node:* modules do not exist in this worker.
    const worker = new Miniflare({
      modules: true,
      script,
      compatibilityDate: '2025-09-01',
      compatibilityFlags: [],
      // The Worker's `env`: what sessionsFromEnv reads there.
      bindings: fixture.env,
    })
    onTestFinished(() => worker.dispose())
    const response = await worker.dispatchFetch('http://worker.test/', {
      method: 'POST',
      body: JSON.stringify(fixture),
    })
    assertAllPassed((await response.json()) as never)
  }, 60_000)
})
