import { createServer } from 'node:http'
import { authMiddleware } from '@portcullis/http/express'
import express5, { type NextFunction, type Request, type Response } from 'express'
import express4 from 'express4'
import { afterEach, describe, expect, it } from 'vitest'
import { loopback } from '../support/conformance.js'
import { listen, makeAuth, sign } from '../support/fixtures.js'

// Review: `req.identity = ...` ran outside the Express middleware's try. When the request refuses the
// write (an app that defines a getter-only `identity` on `app.request`), the TypeError on the
// asynchronous path (a token not cached yet, or a forged one, which any client can send) became an
// unhandled rejection, which stops a Node process, and the request was never answered. Now it reaches
// next(error).
describe.each([
  ['Express 5', express5],
  ['Express 4', express4 as unknown as typeof express5],
])('review: a request that refuses req.identity, on %s', (_name, express) => {
  const unhandled: unknown[] = []
  const record = (reason: unknown) => unhandled.push(reason)
  afterEach(() => {
    process.off('unhandledRejection', record)
    unhandled.length = 0
  })

  it('is answered through next(error), never an unhandled rejection', async () => {
    process.on('unhandledRejection', record)
    const app = express()
    Object.defineProperty(app.request, 'identity', { configurable: true, get: () => 'the app decides' })
    app.use(authMiddleware(makeAuth()))
    app.get('/me', (req, res) => res.json(req.identity))
    app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).json(error.name)
    })
    const send = loopback(await listen(createServer(app)))
    const token = await sign()
    const forged = `${token.split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`
    // A forged token and a new one wait for verification; then the cached one, and none, do not.
    const attempts: Record<string, string>[] = [
      { authorization: `Bearer ${forged}` },
      { authorization: `Bearer ${token}` },
      { authorization: `Bearer ${token}` },
      {},
    ]
    for (const headers of attempts) {
      const answer = await Promise.race([
        send('/me', headers).then(async (response) => [response.status, await response.json()]),
        new Promise((resolve) => setTimeout(() => resolve('never answered'), 2000)),
      ])
      expect(answer).toEqual([500, 'TypeError'])
    }
    expect(unhandled).toEqual([])
  })
})
