import { authMiddleware, requireAuth } from '@portcullis/http/hono'
import { withAuth } from '@portcullis/http/next'
import { Hono } from 'hono'
import { NextRequest } from 'next/server.js'
import { describe, expect, it } from 'vitest'
import { makeAuth, sessionSetup, sign } from '../support/fixtures.js'

// Issue 17: Hono's middleware and guard and Next's withAuth are no longer `async` functions, so a
// cached request pays no extra async frame. They must still behave as async functions did.
describe('the layers that answer without an async frame (issue 17)', () => {
  const context = { params: Promise.resolve({}) }

  it('withAuth always returns a promise, also for a handler that answers synchronously', async () => {
    const auth = makeAuth()
    const GET = withAuth(auth, (_request, { identity }) => Response.json(identity.subject))
    const authorization = `Bearer ${await sign()}`
    await GET(new NextRequest('http://127.0.0.1/', { headers: { authorization } }), context)
    // Cached now: the path that skips the async frame.
    const answer = GET(new NextRequest('http://127.0.0.1/', { headers: { authorization } }), context)
    expect(answer).toBeInstanceOf(Promise)
    expect(await (await answer).json()).toBe('alice')
  })

  it('withAuth turns a handler that throws into a rejected promise, never a throw from the call', async () => {
    const auth = makeAuth()
    const GET = withAuth(auth, () => {
      throw new Error('handler failed')
    })
    const authorization = `Bearer ${await sign()}`
    await GET(new NextRequest('http://127.0.0.1/', { headers: { authorization } }), context).catch(() => {})
    let answer: Promise<Response> | undefined
    expect(() => {
      answer = GET(new NextRequest('http://127.0.0.1/', { headers: { authorization } }), context)
    }).not.toThrow()
    await expect(answer).rejects.toThrow('handler failed')
  })

  it("withAuth still adds a refresh's Set-Cookie to a Response the handler returns synchronously", async () => {
    const setup = await sessionSetup()
    const GET = withAuth(setup.auth, () => new Response('ok'))
    setup.clock.advance(6 * 60_000)
    const response = await GET(
      new NextRequest('http://127.0.0.1/', { headers: { cookie: setup.cookie } }),
      context,
    )
    expect(response.headers.getSetCookie()).toHaveLength(2)
  })

  it("Hono's guard without the middleware fails the request closed (500) and the app keeps serving", async () => {
    const app = new Hono().get('/r', requireAuth(), (c) => c.text('secret'))
    const first = await app.request('/r', { headers: { authorization: `Bearer ${await sign()}` } })
    expect(first.status).toBe(500)
    expect(await first.text()).not.toContain('secret')
    expect((await app.request('/r')).status).toBe(500)
  })

  it("Hono's middleware waits for the handler: a cached request's answer is the route's", async () => {
    const auth = makeAuth()
    const app = new Hono().use(authMiddleware(auth)).get('/r', requireAuth(), async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return c.json({ subject: c.var.identity.subject })
    })
    const headers = { authorization: `Bearer ${await sign()}` }
    for (let i = 0; i < 2; i++) {
      const response = await app.request('/r', { headers })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ subject: 'alice' })
    }
  })

  it("Hono's middleware answers a malformed header itself (400), without calling the route", async () => {
    let calls = 0
    const app = new Hono().use(authMiddleware(makeAuth())).get('/r', (c) => {
      calls++
      return c.text('route')
    })
    const response = await app.request('/r', { headers: { authorization: 'Bearer a b' } })
    expect(response.status).toBe(400)
    expect(calls).toBe(0)
  })
})
