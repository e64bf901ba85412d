import { EdgeVM } from '@edge-runtime/vm'
import { describe, it } from 'vitest'
import { assertAllPassed, bundle, serveFixture } from './support.js'

describe("on Vercel's Edge runtime (@edge-runtime/vm)", () => {
  it('passes the runtime suite from a bundle built with the "edge-light" and "worker" conditions', async () => {
    const { fixture } = await serveFixture()
    const script = await bundle('edge', { conditions: ['edge-light', 'worker', 'browser'], format: 'iife' })
    // The Edge runtime's globals only: no require, no process, no Buffer, no eval.
    const vm = new EdgeVM({ initialCode: script })
    const response = await vm.dispatchFetch('http://edge.test/', {
      method: 'POST',
      body: JSON.stringify(fixture),
    })
    await response.waitUntil()
    assertAllPassed((await response.json()) as never)
  }, 60_000)
})
