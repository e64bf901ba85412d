import { createServer } from 'node:http'
import { authMiddleware } from '@portcullis/http/express'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { listen, makeAuth, sign } from '../support/fixtures.js'

// Review: the Express middleware answered a verification that had to wait (a token not cached yet)
// inside a promise callback with no catch. When another layer had already answered the request (a
// timeout middleware, a handler that responds then calls next), setting the rejection's headers threw
// ERR_HTTP_HEADERS_SENT there: an unhandled rejection, which stops a Node process. Now the fault goes
// to next(error), where Express's error handling (which knows headers were sent) deals with it.
describe('review: an Express answer after another layer responded', () => {
  const unhandled: unknown[] = []
  const record = (reason: unknown) => unhandled.push(reason)
  afterEach(() => {
    process.off('unhandledRejection', record)
  })

  it('reaches next(error), never an unhandled rejection, when the request was answered already', async () => {
    process.on('unhandledRejection', record)
    const errors: unknown[] = []
    const app = express()
    // Answers at once, then lets the request go on: what connect-timeout does when a layer is slow.
    app.use((_req, res, next) => {
      res.status(503).end('answered early')
      next()
    })
    app.use(authMiddleware(makeAuth()))
    app.use((error: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
      errors.push(error)
      next(error)
    })
    const server = createServer(app)
    const base = await listen(server)
    try {
      // Signed with another key: verification waits for a signature check, then rejects.
      const forged = `${(await sign()).split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`
      const response = await fetch(`${base}/`, { headers: { authorization: `Bearer ${forged}` } })
      expect(response.status).toBe(503)
      await response.text()
      for (let i = 0; i < 20 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
      expect(unhandled).toEqual([])
      expect(errors).toEqual([expect.objectContaining({ code: 'ERR_HTTP_HEADERS_SENT' })])
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
