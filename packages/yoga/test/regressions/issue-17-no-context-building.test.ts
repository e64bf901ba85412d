// Issue 17 (served Yoga): any `onContextBuilding` hook takes Envelop off its one-line synchronous
// context factory (~12k instructions per served request). On Yoga the plugin now verifies the
// request in `onParams`, before Yoga builds the context, and registers no such hook; bare Envelop
// (and a custom `request` option) still gets one. These pin down that the identity is in the context
// before anything reads it, on a cached token and on a first verification, in a batch, behind a
// slow key server, and that every rejection keeps its status.
import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { envelop, useEngine, useEnvelop, useSchema } from '@envelop/core'
import { type Auth, type AuthEvent, createAuth, type Identity } from '@portcullis/core'
import { useAuth } from '@portcullis/yoga'
import * as graphql from 'graphql'
import { createYoga, type Plugin } from 'graphql-yoga'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it, onTestFinished } from 'vitest'
import { audience, auth, forged, issuer, makeSchema, secret, sign } from '../fixtures.js'

type Seen = { identity?: Identity | null; seen?: string | undefined }

/**
 * A plugin placed before useAuth: what the context holds when execution starts, before our
 * onExecute; and every plugin Envelop runs, once they are all added.
 */
function probe(): { plugin: Plugin; seen: Seen[]; plugins: () => Plugin[] } {
  const seen: Seen[] = []
  let all: Plugin[] = []
  return {
    seen,
    plugins: () => all,
    plugin: {
      onPluginInit({ plugins }) {
        all = plugins as Plugin[]
      },
      onExecute({ args }) {
        const context = args.contextValue as Seen
        seen.push({ identity: context.identity, seen: context.seen })
      },
    },
  }
}

function yogaWith(
  plugins: readonly object[],
  options: { batching?: boolean; context?: (c: Seen) => object } = {},
) {
  return createYoga({ schema: makeSchema(), plugins, logging: false, ...options } as never) as unknown as {
    fetch(url: string, init?: RequestInit): Promise<Response>
  }
}

const post = (yoga: ReturnType<typeof yogaWith>, body: unknown, token?: string) =>
  yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  })

const contextHooks = (plugins: Plugin[]) => plugins.filter((plugin) => plugin.onContextBuilding).length

/** An `auth` counting the tokens it verified, not from its cache. */
function counted(): { auth: Auth; calls: () => number } {
  let calls = 0
  const onEvent = (event: AuthEvent) => {
    if (event.type === 'verified' && !event.cached) calls++
  }
  return { calls: () => calls, auth: createAuth({ issuer, audience, secret, onEvent }) }
}

describe('useAuth on Yoga registers no onContextBuilding', () => {
  it('leaves Yoga with no context-building hook, as a Yoga without the plugin has', () => {
    const bare = probe()
    yogaWith([bare.plugin])
    expect(contextHooks(bare.plugins())).toBe(0)
    const ours = probe()
    yogaWith([ours.plugin, useAuth({ auth })])
    expect(ours.plugins().length).toBe(bare.plugins().length + 1)
    expect(contextHooks(ours.plugins())).toBe(0)
  })

  it('has the identity in the context before execution, on a first verification and on a cached token', async () => {
    const { plugin, seen } = probe()
    const { auth: countedAuth, calls } = counted()
    const yoga = yogaWith([plugin, useAuth({ auth: countedAuth })])
    const token = await sign({ sub: 'fresh' })
    for (let i = 0; i < 2; i++) {
      const response = await post(yoga, { query: '{ me { id } }' }, token)
      expect(await response.json()).toEqual({ data: { me: { id: 'fresh' } } })
    }
    expect(seen.map((entry) => entry.identity?.subject)).toEqual(['fresh', 'fresh'])
    // The second request was answered from core's cache, without a second full verification.
    expect(calls()).toBe(1)
  })

  it('makes no promise for a cached token (Yoga stays on its synchronous path)', async () => {
    const plugin = useAuth({ auth })
    const token = await sign({ sub: 'sync' })
    const params = () => {
      const context: Seen = {}
      const request = new Request('http://localhost/graphql', {
        headers: { authorization: `Bearer ${token}` },
      })
      return { context, returned: plugin.onParams!({ request, context }) }
    }
    const first = params()
    expect(first.returned).toBeInstanceOf(Promise)
    await first.returned
    expect(first.context.identity?.subject).toBe('sync')
    const again = params()
    expect(again.returned).toBeUndefined()
    expect(again.context.identity?.subject).toBe('sync')
  })

  it("hands Yoga's context factory the identity", async () => {
    const { plugin, seen } = probe()
    const yoga = yogaWith([plugin, useAuth({ auth })], {
      context: ({ identity }) => ({ seen: identity === null ? 'anonymous' : identity?.subject }),
    })
    const token = await sign({ sub: 'carol' })
    await post(yoga, { query: '{ health }' }, token) // a first verification
    await post(yoga, { query: '{ health }' }, token) // cached
    await post(yoga, { query: '{ health }' }) // no credentials
    expect(seen.map((entry) => entry.seen)).toEqual(['carol', 'carol', 'anonymous'])
  })

  it('keeps its identity when a context factory built after it sets another one', async () => {
    const yoga = yogaWith([useAuth({ auth })], {
      context: () => ({ identity: { subject: 'admin', scopes: ['read:reports'], roles: [] } }),
    })
    const me = await post(yoga, { query: '{ me { id } }' }, await sign({ sub: 'ivan' }))
    expect(await me.json()).toEqual({ data: { me: { id: 'ivan' } } })
    const anonymous = await post(yoga, { query: '{ me { id } }' })
    expect(anonymous.status).toBe(401)
  })

  it("verifies a batch's token once, every operation seeing the identity", async () => {
    const { plugin, seen } = probe()
    const { auth: countedAuth, calls } = counted()
    const yoga = yogaWith([plugin, useAuth({ auth: countedAuth })], { batching: true })
    const token = await sign({ sub: 'batch' })
    const response = await post(yoga, [{ query: '{ me { id } }' }, { query: '{ health }' }], token)
    expect(await response.json()).toEqual([{ data: { me: { id: 'batch' } } }, { data: { health: 'ok' } }])
    expect(seen.map((entry) => entry.identity?.subject)).toEqual(['batch', 'batch'])
    expect(calls()).toBe(1)
  })

  it('waits for a slow key server before anything executes', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const jwk = { ...(await exportJWK(publicKey)), kid: 'slow', alg: 'ES256' }
    const server = createServer((_request, response: ServerResponse) => {
      setTimeout(() => response.end(JSON.stringify({ keys: [jwk] })), 150)
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
    const { port } = server.address() as AddressInfo
    const slow = createAuth({ issuer, audience, jwks: `http://127.0.0.1:${port}/jwks` })
    const { plugin, seen } = probe()
    const yoga = yogaWith([plugin, useAuth({ auth: slow })])
    const token = await new SignJWT({ sub: 'dave' })
      .setProtectedHeader({ alg: 'ES256', kid: 'slow' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey)
    const response = await post(yoga, { query: '{ me { id } }' }, token)
    expect(await response.json()).toEqual({ data: { me: { id: 'dave' } } })
    expect(seen.map((entry) => entry.identity?.subject)).toEqual(['dave'])
  })

  describe('keeps every rejection status', () => {
    const yoga = yogaWith([useAuth({ auth })])
    const reason = async (response: Response) =>
      ((await response.json()) as { errors: { extensions: { reason: string } }[] }).errors[0]?.extensions
        .reason

    it('401 for a missing, expired or forged token; 403 for a missing scope', async () => {
      const missing = await post(yoga, { query: '{ me { id } }' })
      expect([missing.status, await reason(missing)]).toEqual([401, 'token_missing'])
      const expired = await post(yoga, { query: '{ me { id } }' }, await sign({ exp: 1000 }))
      expect([expired.status, await reason(expired)]).toEqual([401, 'token_expired'])
      const bad = await post(yoga, { query: '{ me { id } }' }, await forged())
      expect(bad.status).toBe(401)
      const scope = await post(yoga, { query: '{ reports { title } }' }, await sign())
      expect([scope.status, await reason(scope)]).toEqual([403, 'insufficient_scope'])
    })

    it('503 when the key server is down, never a 401', async () => {
      const server = createServer((_request, response) => {
        response.statusCode = 500
        response.end()
      })
      server.listen(0, '127.0.0.1')
      await once(server, 'listening')
      onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
      const { port } = server.address() as AddressInfo
      const down = createAuth({ issuer, audience, jwks: `http://127.0.0.1:${port}/jwks` })
      const { privateKey } = await generateKeyPair('ES256')
      const token = await new SignJWT({ sub: 'erin' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setExpirationTime('5m')
        .sign(privateKey)
      const response = await post(yogaWith([useAuth({ auth: down })]), { query: '{ me { id } }' }, token)
      expect(response.status).toBe(503)
    })

    it('fails an operation whose verification threw, never running it as anonymous', async () => {
      const broken: Auth = {
        ...auth,
        authenticate: async () => {
          throw new Error('the session store is unreachable')
        },
      }
      const response = await post(
        yogaWith([useAuth({ auth: broken })]),
        { query: '{ health }' },
        await sign(),
      )
      const body = (await response.json()) as { data?: unknown; errors?: { message: string }[] }
      expect(body.data ?? null).toBeNull()
      expect(body.errors?.map((error) => error.message)).toEqual(['Unexpected error.'])
    })

    it('answers a request without a query as Yoga alone does', async () => {
      const token = await sign()
      const alone = await post(yogaWith([]), { variables: {} }, token)
      const response = await post(yoga, { variables: {} }, token)
      expect([response.status, await response.json()]).toEqual([alone.status, await alone.json()])
    })
  })
})

describe('useAuth elsewhere keeps onContextBuilding', () => {
  it('in bare Envelop, whose context factory carries the identity of a first verification', async () => {
    const getEnveloped = envelop({
      plugins: [useEngine(graphql), useSchema(makeSchema()), useAuth({ auth })],
    })
    expect(contextHooks(getEnveloped._plugins as Plugin[])).toBe(1)
    const token = await sign({ sub: 'frank' })
    const request = () =>
      new Request('http://localhost/graphql', { headers: { authorization: `Bearer ${token}` } })
    const first = getEnveloped({ request: request() }).contextFactory()
    expect(first).toBeInstanceOf(Promise)
    expect((await first).identity?.subject).toBe('frank')
    // Cached now: the context is built without a promise.
    const again = getEnveloped({ request: request() }).contextFactory()
    expect(again).not.toBeInstanceOf(Promise)
    expect((await again).identity?.subject).toBe('frank')
  })

  it('inside an Envelop that Yoga runs (useEnvelop), registered there before Yoga saw it', async () => {
    const { plugin, seen } = probe()
    const inner = envelop({ plugins: [useAuth({ auth })] })
    const yoga = yogaWith([plugin, useEnvelop(inner)], {
      context: ({ identity }) => ({ seen: identity?.subject }),
    })
    const response = await post(yoga, { query: '{ me { id } }' }, await sign({ sub: 'heidi' }))
    expect(await response.json()).toEqual({ data: { me: { id: 'heidi' } } })
    expect(seen).toEqual([{ identity: expect.objectContaining({ subject: 'heidi' }), seen: 'heidi' }])
  })

  it('on Yoga with a custom request option, which may read what context building adds', async () => {
    const { plugin, seen, plugins } = probe()
    const custom = useAuth({
      auth,
      request: (context) => ({ authorization: `Bearer ${String((context as { token?: string }).token)}` }),
    })
    const token = await sign({ sub: 'grace' })
    const yoga = yogaWith([plugin, custom], { context: () => ({ token }) })
    expect(contextHooks(plugins())).toBe(2) // Yoga's `context` option, and ours
    const response = await post(yoga, { query: '{ me { id } }' })
    expect(await response.json()).toEqual({ data: { me: { id: 'grace' } } })
    expect(seen.map((entry) => entry.identity?.subject)).toEqual(['grace'])
  })
})
