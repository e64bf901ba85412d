import { createServer, type ServerResponse } from 'node:http'
import type { Auth, AuthEvent, Identity } from '@portcullis/core'
import type { RegisteredClaims } from '@portcullis/http'
import { authMiddleware, requireAuth } from '@portcullis/http/express'
import connect from 'connect'
import express5, { type Request } from 'express'
import express4 from 'express4'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { describeConformance, loopback, type Start } from '../support/conformance.js'
import { listen, sign } from '../support/fixtures.js'

type Express = typeof express5

function startWith(express: Express): Start {
  return async (auth) => {
    const app = express()
    app.use(authMiddleware(auth))
    app.get('/me', (req, res) => {
      res.json(
        req.identity ? { subject: req.identity.subject, tenant: req.identity.claims.tenant } : 'anonymous',
      )
    })
    app.get('/reports', requireAuth({ scopes: ['read:reports'] }), (_req, res) => res.json('reports'))
    app.get('/write', requireAuth({ scopes: ['write:reports'] }), (_req, res) => res.json('written'))
    app.get('/admin', requireAuth({ roles: ['admin'] }), (_req, res) => res.json('admin'))
    app.get('/audit', requireAuth({ roles: ['auditor', 'admin'], mode: 'any' }), (_req, res) =>
      res.json('audit'),
    )
    return loopback(await listen(createServer(app)))
  }
}

describeConformance('Express 5', startWith(express5))
describeConformance('Express 4', startWith(express4))

// Connect has no res.json and matches paths by prefix: the middleware uses Node's API only.
describeConformance('Connect', async (auth) => {
  const app = connect()
  const json = (value: unknown) => (_req: unknown, res: ServerResponse) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(value))
  }
  app.use(authMiddleware(auth))
  app.use('/me', (req, res) => {
    const { identity } = req as typeof req & { identity: Identity<{ tenant: string }> | null }
    json(identity ? { subject: identity.subject, tenant: identity.claims.tenant } : 'anonymous')(req, res)
  })
  app.use('/reports', requireAuth({ scopes: ['read:reports'] }))
  app.use('/reports', json('reports'))
  app.use('/write', requireAuth({ scopes: ['write:reports'] }))
  app.use('/write', json('written'))
  app.use('/admin', requireAuth({ roles: ['admin'] }))
  app.use('/admin', json('admin'))
  app.use('/audit', requireAuth({ roles: ['auditor', 'admin'], mode: 'any' }))
  app.use('/audit', json('audit'))
  return loopback(await listen(createServer(app)))
})

describe('Express specifics', () => {
  it('types req.identity as Identity | null of the registered claims', () => {
    expectTypeOf<Request['identity']>().toEqualTypeOf<Identity<RegisteredClaims> | null>()
  })

  it('verifies a token once however many times the middleware is mounted', async () => {
    const events: AuthEvent[] = []
    const { createAuth } = await import('@portcullis/core')
    const { issuer, audience, secret } = await import('../support/fixtures.js')
    const auth = createAuth({ issuer, audience, secret, onEvent: (event) => events.push(event) })
    const app = express5()
    const router = express5.Router()
    router.use(authMiddleware(auth))
    router.get('/me', requireAuth(), (req, res) => res.json(req.identity?.subject))
    app.use(authMiddleware(auth))
    app.use(router)
    const send = loopback(await listen(createServer(app)))
    const response = await send('/me', { authorization: `Bearer ${await sign()}` })
    expect(await response.json()).toBe('alice')
    expect(events.filter((event) => event.type === 'verified')).toHaveLength(1)
  })

  it("keeps a refresh's Set-Cookie beside the cookies the route sets itself", async () => {
    const { sessionSetup, names } = await import('../support/fixtures.js')
    for (const express of [express5, express4]) {
      const setup = await sessionSetup()
      const app = express()
      app.use(authMiddleware(setup.auth))
      app.get('/prefs', (_req, res) => res.cookie('theme', 'dark').json('ok'))
      const send = loopback(await listen(createServer(app)))
      setup.clock.advance(6 * 60_000)
      const response = await send('/prefs', { cookie: setup.cookie })
      expect(names(response.headers.getSetCookie()).sort()).toEqual([
        '__Host-session',
        '__Host-session-refresh',
        'theme',
      ])
    }
  })

  it('fails a guarded route closed (500) when authMiddleware was never mounted', async () => {
    for (const express of [express5, express4]) {
      const app = express()
      app.get('/reports', requireAuth(), (_req, res) => res.json('reports'))
      const send = loopback(await listen(createServer(app)))
      const response = await send('/reports', { authorization: `Bearer ${await sign()}` })
      expect(response.status).toBe(500)
    }
  })

  it('ignores an identity another layer put on req: the guard reads what the verifier concluded', async () => {
    const { makeAuth } = await import('../support/fixtures.js')
    const app = express5()
    app.use(authMiddleware(makeAuth()))
    app.use((req, _res, next) => {
      ;(req as { identity: unknown }).identity = { subject: 'mallory', scopes: ['read:reports'], roles: [] }
      next()
    })
    app.get('/reports', requireAuth({ scopes: ['read:reports'] }), (_req, res) => res.json('reports'))
    const send = loopback(await listen(createServer(app)))
    expect((await send('/reports')).status).toBe(401)
  })

  it('checks its options when the route is declared', () => {
    expect(() => requireAuth({ scopes: 'read' as never })).toThrow(
      new TypeError('"scopes" must be an array of non-empty strings'),
    )
    expect(() => requireAuth({ mode: 'some' as never })).toThrow(
      new TypeError('"mode" must be "all" or "any"'),
    )
    expect(() => authMiddleware({} as Auth)).toThrow(
      new TypeError('"auth" must be made by createAuth from @portcullis/core'),
    )
  })
})
