import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { authMiddleware, requireAuth } from '@portcullis/http/hono'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { describe, expect, it, onTestFinished } from 'vitest'
import { nodeIncoming } from '../../src/hono/node-incoming.js'
import { loopback, type Send } from '../support/conformance.js'
import { makeAuth, sign } from '../support/fixtures.js'

/** Whether @hono/node-server built a Fetch `Headers` (or a full `Request`) for this request yet. */
const headersBuilt = (c: Context) =>
  Object.getOwnPropertySymbols(c.req.raw).some(
    (key) =>
      typeof (c.req.raw as unknown as Record<symbol, unknown>)[key] === 'object' &&
      (c.req.raw as unknown as Record<symbol, unknown>)[key] !== (c.env as { incoming: unknown }).incoming,
  )

/** `before` runs ahead of the middleware; `/reports` needs `read:reports` and tells whether Headers were built. */
async function served(before: MiddlewareHandler[] = []): Promise<Send> {
  const auth = makeAuth()
  const app = new Hono()
  for (const layer of before) app.use(layer)
  app
    .use(authMiddleware(auth))
    .get('/reports', requireAuth({ scopes: ['read:reports'] }), (c) =>
      c.json({ subject: c.var.identity.subject, headersBuilt: headersBuilt(c) }),
    )
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', createServer })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
  return loopback(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
}

const bearer = async () => ({ authorization: `Bearer ${await sign({ scope: 'read:reports' })}` })

describe('Hono on @hono/node-server: the raw header lines while they are the headers', () => {
  it('verifies a token without making the server build a Fetch Headers for the request', async () => {
    const send = await served()
    const response = await send('/reports', await bearer())
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ subject: 'alice', headersBuilt: false })
  })

  it('reads the headers a layer before it changed, not the lines the client sent', async () => {
    const strip: MiddlewareHandler = (c, next) => {
      c.req.raw.headers.delete('authorization')
      return next()
    }
    const send = await served([strip])
    const response = await send('/reports', await bearer())
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'token_missing' })
  })

  it('reads a request a layer rebuilt, even when it passes the original env on', async () => {
    const auth = makeAuth()
    const inner = new Hono()
      .use(authMiddleware(auth))
      .get('/reports', requireAuth({ scopes: ['read:reports'] }), (c) => c.json(c.var.identity.subject))
    // A gateway that forwards to a sub-app without the client's credentials.
    const gateway: MiddlewareHandler = (c) => {
      const headers = new Headers(c.req.raw.headers)
      headers.delete('authorization')
      return inner.fetch(new Request(c.req.raw.url, { headers }), c.env) as Promise<Response>
    }
    const send = await served([gateway])
    const response = await send('/reports', await bearer())
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'token_missing' })
  })

  it('reads a `headers` a layer set on the request itself', async () => {
    const replace: MiddlewareHandler = (c, next) => {
      Object.defineProperty(c.req.raw, 'headers', { value: new Headers() })
      return next()
    }
    const send = await served([replace])
    const response = await send('/reports', await bearer())
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'token_missing' })
  })

  it('refuses two Authorization lines as ambiguous, as from the Headers', async () => {
    const send = await served()
    const { authorization } = await bearer()
    const response = await send('/reports', { authorization: [authorization, authorization] })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: 'token_ambiguous' })
  })
})

describe('nodeIncoming', () => {
  /** Shaped like @hono/node-server's lightweight request: its message and URL under symbols. */
  const lightweight = (incoming: object) =>
    Object.assign(Object.create(Request.prototype) as Request, {
      [Symbol('incomingKey')]: incoming,
      [Symbol('urlKey')]: 'http://127.0.0.1/reports',
    })

  it("is the message only for the request that holds this env's own message", () => {
    const incoming = { rawHeaders: ['Authorization', 'Bearer a'] }
    const other = { rawHeaders: ['Authorization', 'Bearer b'] }
    expect(nodeIncoming(lightweight(incoming), { incoming })).toBe(incoming)
    // Another request's env (a sub-app handed the original env) is never read for this request.
    expect(nodeIncoming(lightweight(other), { incoming })).toBeUndefined()
    const urlOnly = Object.assign(Object.create(Request.prototype) as Request, {
      [Symbol('urlKey')]: 'http://127.0.0.1/reports',
    })
    expect(nodeIncoming(urlOnly, { incoming })).toBeUndefined()
  })

  it('is undefined for a Fetch Request, whatever env claims', () => {
    const incoming = { rawHeaders: ['Authorization', 'Bearer forged'] }
    expect(nodeIncoming(new Request('http://127.0.0.1/'), { incoming })).toBeUndefined()
    expect(nodeIncoming(new Request('http://127.0.0.1/'), undefined)).toBeUndefined()
  })
})
