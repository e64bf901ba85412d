import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { describe, expect, it, vi } from 'vitest'
import { authenticateOnce, verdictOf } from '../../src/internal/verdict.js'
import { makeAuth, sign } from '../support/fixtures.js'

const REGISTRY = Symbol.for('portcullis.http.verdicts')

function nodeRequest(authorization: string): IncomingMessage {
  const req = new IncomingMessage(new Socket())
  req.rawHeaders = ['Authorization', authorization]
  req.headers = { authorization }
  return req
}

/** A second copy of this package's verdict module, as a second install of it in one app loads. */
async function secondCopy(): Promise<typeof import('../../src/internal/verdict.js')> {
  vi.resetModules()
  const copy = await import('../../src/internal/verdict.js')
  if (copy.verdictOf === verdictOf) throw new Error('the same module instance, not a second copy')
  return copy
}

describe('the verdict kept per request', () => {
  it('is verified once, and leaves no property, symbol or JSON trace on the request', async () => {
    const auth = makeAuth()
    const req = nodeRequest(`Bearer ${await sign()}`)
    const keys = Reflect.ownKeys(req)
    const first = await authenticateOnce(auth, req)
    const again = await authenticateOnce(auth, req)
    expect(first).toMatchObject({ fresh: true, result: { status: 'authenticated' } })
    expect(again).toMatchObject({ fresh: false, result: first.result })
    expect(Reflect.ownKeys(req)).toEqual(keys)
    expect(verdictOf({ ...req })).toBeUndefined()
  })

  it('is kept for a request that takes no new property (a frozen one)', async () => {
    const auth = makeAuth()
    const request = Object.freeze(
      new Request('http://127.0.0.1/', { headers: { authorization: `Bearer ${await sign()}` } }),
    )
    await authenticateOnce(auth, request)
    expect(verdictOf(request)?.result.status).toBe('authenticated')
  })

  it('is shared by two copies of the package in one app, so a guard of one reads the other', async () => {
    const auth = makeAuth()
    const req = nodeRequest(`Bearer ${await sign()}`)
    await authenticateOnce(auth, req)
    const other = await secondCopy()
    expect(other.verdictOf(req)?.result.status).toBe('authenticated')
    expect(await other.authenticateOnce(auth, req)).toMatchObject({ fresh: false })
  })

  it('uses what an older copy registered (a WeakMap), which has the same get and set', async () => {
    const shared = globalThis as { [REGISTRY]?: unknown }
    const current = shared[REGISTRY]
    const older = new WeakMap()
    shared[REGISTRY] = older
    try {
      const auth = makeAuth()
      const req = nodeRequest(`Bearer ${await sign()}`)
      const copy = await secondCopy()
      await copy.authenticateOnce(auth, req)
      expect(older.get(req)).toMatchObject({ auth, result: { status: 'authenticated' } })
    } finally {
      shared[REGISTRY] = current
    }
  })
})
