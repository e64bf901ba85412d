import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { type Auth, type AuthEvent, createAuth, type Identity } from '@portcullis/core'
import { type AuthEnv, authMiddleware, requireAuth } from '@portcullis/http/hono'
import { Hono } from 'hono'
import { describe, expect, expectTypeOf, it, onTestFinished } from 'vitest'
import { describeConformance, direct, loopback, type Send } from '../support/conformance.js'
import { audience, issuer, makeAuth, secret, sign } from '../support/fixtures.js'

function app<Claims>(auth: Auth<Claims>) {
  return new Hono()
    .use(authMiddleware(auth))
    .get('/me', (c) => {
      const identity = c.var.identity
      if (!identity) return c.json('anonymous')
      return c.json({ subject: identity.subject, tenant: (identity.claims as { tenant?: string }).tenant })
    })
    .get('/reports', requireAuth({ scopes: ['read:reports'] }), (c) => c.json('reports'))
    .get('/write', requireAuth({ scopes: ['write:reports'] }), (c) => c.json('written'))
    .get('/admin', requireAuth({ roles: ['admin'] }), (c) => c.json('admin'))
    .get('/audit', requireAuth({ roles: ['auditor', 'admin'], mode: 'any' }), (c) => c.json('audit'))
}

async function onNode(hono: Hono): Promise<Send> {
  const server = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1', createServer })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
  return loopback(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
}

describeConformance('Hono on Node (@hono/node-server)', async (auth) => onNode(app(auth) as never))
describeConformance('Hono app.fetch (any runtime)', async (auth) =>
  direct((request) => app(auth).fetch(request)),
)

describe('Hono specifics', () => {
  it("types c.var.identity from the verifier's claims, and non-null past a guard", () => {
    const auth = makeAuth()
    new Hono()
      .use(authMiddleware(auth))
      .get('/open', (c) => {
        expectTypeOf(c.var.identity).toEqualTypeOf<Identity<{ sub: string; tenant: string }> | null>()
        return c.body(null)
      })
      .get('/closed', requireAuth(), (c) => {
        expectTypeOf(c.var.identity.claims.tenant).toEqualTypeOf<string>()
        return c.body(null)
      })
    expectTypeOf<AuthEnv<{ a: 1 }>['Variables']['identity']>().toEqualTypeOf<Identity<{ a: 1 }> | null>()
  })

  it('keeps the refreshed Set-Cookie on a Response the handler built itself', async () => {
    const { sessionSetup } = await import('../support/fixtures.js')
    const setup = await sessionSetup()
    const hono = new Hono()
      .use(authMiddleware(setup.auth))
      .get('/raw', () => new Response('raw', { headers: { 'set-cookie': 'theme=dark' } }))
    setup.clock.advance(6 * 60_000)
    const response = await direct((request) => hono.fetch(request))('/raw', { cookie: setup.cookie })
    expect(await response.text()).toBe('raw')
    expect(response.headers.getSetCookie().map((line) => line.split('=', 1)[0])).toEqual(
      expect.arrayContaining(['theme', '__Host-session', '__Host-session-refresh']),
    )
  })

  it("adds the refresh's Set-Cookie to a redirect, whose headers are immutable", async () => {
    const { sessionSetup } = await import('../support/fixtures.js')
    const setup = await sessionSetup()
    const hono = new Hono()
      .use(authMiddleware(setup.auth))
      .get('/go', () => Response.redirect('http://127.0.0.1/home', 303))
    setup.clock.advance(6 * 60_000)
    const response = await direct((request) => hono.fetch(request))('/go', { cookie: setup.cookie })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('http://127.0.0.1/home')
    expect(response.headers.getSetCookie()).toHaveLength(2)
  })

  it('verifies once when mounted twice, and ignores an identity another middleware set', async () => {
    const events: AuthEvent[] = []
    const auth = createAuth({ issuer, audience, secret, onEvent: (event) => events.push(event) })
    const hono = new Hono()
      .use(authMiddleware(auth))
      .use(authMiddleware(auth))
      .use('/forged', async (c, next) => {
        c.set('identity', { subject: 'mallory', scopes: ['read:reports'], roles: [] } as never)
        await next()
      })
      .get('/me', requireAuth(), (c) => c.json(c.var.identity.subject))
      .get('/forged', requireAuth({ scopes: ['read:reports'] }), (c) => c.json('reports'))
    const send = direct((request) => hono.fetch(request))
    expect(await (await send('/me', { authorization: `Bearer ${await sign()}` })).json()).toBe('alice')
    expect(events.filter((event) => event.type === 'verified')).toHaveLength(1)
    expect((await send('/forged')).status).toBe(401)
  })

  it('fails a guarded route closed (500) when authMiddleware was never mounted', async () => {
    const hono = new Hono()
      .get('/reports', requireAuth(), (c) => c.json('reports'))
      .onError((_error, c) => c.text('internal error', 500)) // Hono's default logs the error
    const response = await direct((request) => hono.fetch(request))('/reports', {
      authorization: `Bearer ${await sign()}`,
    })
    expect(response.status).toBe(500)
  })
})
