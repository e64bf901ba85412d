import { EdgeVM } from '@edge-runtime/vm'
import { describe, it } from 'vitest'
import { assertAllPassed, bundle } from './support.js'

describe("on Vercel's Edge runtime (@edge-runtime/vm)", () => {
  it('Hono middleware and the Next helpers (with next/server bundled for the edge) pass the suite', async () => {
    const script = await bundle('edge', { conditions: ['edge-light', 'worker', 'browser'], format: 'iife' })
    // The Edge runtime's globals only: no require, no process, no Buffer, no eval.
    const vm = new EdgeVM({ initialCode: script })
    const response = await vm.dispatchFetch('http://edge.test/')
    await response.waitUntil()
    assertAllPassed((await response.json()) as never)
  }, 60_000)
})
