import { Miniflare } from 'miniflare'
import { describe, it, onTestFinished } from 'vitest'
import { assertAllPassed, bundle } from './support.js'

describe('on Cloudflare workerd (miniflare), without nodejs_compat', () => {
  it('Hono middleware and the Next helpers pass the suite', async () => {
    const script = await bundle('worker', { conditions: ['workerd', 'worker', 'browser'], format: 'esm' })
    // No compatibility flags: node:* modules do not exist in this worker.
    const worker = new Miniflare({
      modules: true,
      script,
      compatibilityDate: '2025-09-01',
      compatibilityFlags: [],
    })
    onTestFinished(() => worker.dispose())
    const response = await worker.dispatchFetch('http://worker.test/')
    assertAllPassed((await response.json()) as never)
  }, 60_000)
})
