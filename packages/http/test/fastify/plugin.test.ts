import { type AuthEvent, createAuth, type Identity } from '@portcullis/core'
import type { RegisteredClaims } from '@portcullis/http'
import { fastifyAuth, requireAuth } from '@portcullis/http/fastify'
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import Fastify4 from 'fastify4'
import { describe, expect, expectTypeOf, it, onTestFinished } from 'vitest'
import { describeConformance, loopback, type Send } from '../support/conformance.js'
import { audience, issuer, secret, sign } from '../support/fixtures.js'

async function serve(app: ReturnType<typeof Fastify>): Promise<Send> {
  onTestFinished(() => app.close())
  return loopback(await app.listen({ port: 0, host: '127.0.0.1' }))
}

/** A handler answering `value` as JSON (Fastify sends a returned string as text). */
const json = (value: unknown) => async (_request: FastifyRequest, reply: FastifyReply) =>
  reply.type('application/json').send(JSON.stringify(value))

for (const [name, create] of [
  ['Fastify 5', Fastify],
  ['Fastify 4', Fastify4],
] as const)
  describeConformance(name, async (auth) => {
    const app = create()
    await app.register(fastifyAuth, { auth })
    app.get('/me', async (request, reply) =>
      json(
        request.identity
          ? { subject: request.identity.subject, tenant: request.identity.claims.tenant }
          : 'anonymous',
      )(request, reply),
    )
    app.get('/reports', { preHandler: requireAuth({ scopes: ['read:reports'] }) }, json('reports'))
    app.get('/write', { preHandler: requireAuth({ scopes: ['write:reports'] }) }, json('written'))
    app.get('/admin', { preHandler: requireAuth({ roles: ['admin'] }) }, json('admin'))
    app.get(
      '/audit',
      { preHandler: requireAuth({ roles: ['auditor', 'admin'], mode: 'any' }) },
      json('audit'),
    )
    return serve(app)
  })

describe('Fastify specifics', () => {
  it('types request.identity as Identity | null of the registered claims', () => {
    expectTypeOf<FastifyRequest['identity']>().toEqualTypeOf<Identity<RegisteredClaims> | null>()
  })

  it('applies to routes of every encapsulated context, and verifies once', async () => {
    const events: AuthEvent[] = []
    const auth = createAuth({ issuer, audience, secret, onEvent: (event) => events.push(event) })
    const app = Fastify()
    await app.register(fastifyAuth, { auth })
    await app.register(
      async (child) => {
        child.get('/me', { preHandler: requireAuth() }, async (request) => request.identity?.subject)
      },
      { prefix: '/child' },
    )
    const send = await serve(app)
    const response = await send('/child/me', { authorization: `Bearer ${await sign()}` })
    expect(await response.text()).toBe('alice')
    expect(events.filter((event) => event.type === 'verified')).toHaveLength(1)
    expect((await send('/child/me')).status).toBe(401)
  })

  it("keeps a refresh's Set-Cookie beside the cookies the route sets itself", async () => {
    const { sessionSetup, names } = await import('../support/fixtures.js')
    const setup = await sessionSetup()
    const app = Fastify()
    await app.register(fastifyAuth, { auth: setup.auth })
    app.get('/prefs', async (_request, reply) => reply.header('set-cookie', 'theme=dark; Path=/').send('ok'))
    const send = await serve(app)
    setup.clock.advance(6 * 60_000)
    const response = await send('/prefs', { cookie: setup.cookie })
    expect(names(response.headers.getSetCookie()).sort()).toEqual([
      '__Host-session',
      '__Host-session-refresh',
      'theme',
    ])
  })

  it('fails a guarded route closed (500) when the plugin was never registered', async () => {
    const app = Fastify()
    app.get('/reports', { preHandler: requireAuth() }, json('reports'))
    const send = await serve(app)
    expect((await send('/reports', { authorization: `Bearer ${await sign()}` })).status).toBe(500)
  })

  it('refuses to register without a verifier', async () => {
    const app = Fastify()
    onTestFinished(() => app.close())
    await expect(app.register(fastifyAuth, {} as never).ready()).rejects.toThrow(
      '"auth" must be made by createAuth from @portcullis/core',
    )
  })
})
