import { inspect } from 'node:util'
import { AuthError, type Identity } from '@portcullis/core'
import { authErrorFormatter, createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { createTRPCClient, httpBatchLink } from '@trpc/client'
import { initTRPC } from '@trpc/server'
import { describe, expect, it } from 'vitest'
import { makeAuth, serveStandalone, sign } from './support/fixtures.js'
import { type AppRouter, createApp } from './support/router.js'
import { serveWebSocket } from './support/servers.js'

/** A real verifier that counts `authenticate` calls. */
function counting(auth = makeAuth()) {
  const calls = { count: 0 }
  const counted: typeof auth = {
    ...auth,
    authenticate: (request) => {
      calls.count++
      return auth.authenticate(request)
    },
  }
  return { auth: counted, calls }
}

describe('createAuthContext', () => {
  it('verifies the token once per HTTP request, however many calls the batch holds', async () => {
    const { auth, calls } = counting()
    const app = createApp(auth)
    const url = await serveStandalone(app.router, app.createContext)
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${await sign()}` } })],
    })
    await Promise.all(
      [client.me.query(), client.reports.query(), client.search.query(), client.audit.query()].map((p) =>
        p.catch(() => {}),
      ),
    )
    expect(calls.count).toBe(1)
  })

  it('verifies a WebSocket connection when it opens, then once per call (a cache hit for a bearer token)', async () => {
    const { auth, calls } = counting()
    const { createWSClient, wsLink } = await import('@trpc/client')
    const { WebSocket } = await import('ws')
    const url = await serveWebSocket(createApp(auth))
    const ws = createWSClient({
      url,
      WebSocket: WebSocket as never,
      connectionParams: { token: await sign() },
    })
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] })
    try {
      expect(await client.me.query()).toMatchObject({ subject: 'alice' })
      const afterFirst = calls.count
      expect(await client.search.query()).toBe('alice')
      expect(await client.reports.query()).toEqual(['q1', 'q2'])
      // protectedProcedure.use(requireScopes(...)) is one call: one verification, not two.
      expect(calls.count - afterFirst).toBe(2)
    } finally {
      ws.close()
    }
  })

  it("passes the identity to the app's own context factory and merges what it returns", async () => {
    const auth = makeAuth()
    const seen: Array<string | undefined> = []
    const createContext = createAuthContext(auth, {
      context: ({ identity }) => {
        seen.push(identity?.subject)
        // The verified identity wins over a field of the same name.
        return { db: 'db', identity: 'spoofed' }
      },
    })
    const ctx = await createContext({ req: { headers: { authorization: `Bearer ${await sign()}` } } })
    expect(seen).toEqual(['alice'])
    expect(ctx).toMatchObject({ db: 'db', identity: { subject: 'alice' } })
  })

  it('holds no token anywhere a log of the context would show it', async () => {
    const token = await sign()
    const createContext = createAuthContext(makeAuth())
    const ctx = await createContext({ info: { connectionParams: { token } } })
    expect(ctx.identity?.subject).toBe('alice')
    expect(inspect(ctx, { depth: 20, showHidden: true })).not.toContain(token.split('.')[2])
  })

  it('maps connectionParams to headers with the connectionParams option', async () => {
    const createContext = createAuthContext(makeAuth(), {
      connectionParams: (params) => ({ authorization: `Bearer ${params.jwt}` }),
    })
    const ctx = await createContext({ info: { connectionParams: { jwt: await sign({ sub: 'carol' }) } } })
    expect(ctx.identity?.subject).toBe('carol')
  })

  it('never treats an unavailable key set as anonymous, even with invalidToken: anonymous', async () => {
    const auth = makeAuth()
    const down: typeof auth = {
      ...auth,
      authenticate: async () => ({
        status: 'rejected',
        error: new AuthError('jwks_unavailable', 'the key set could not be fetched'),
      }),
    }
    const app = createApp(down, { invalidToken: 'anonymous' })
    const url = await serveStandalone(app.router, app.createContext)
    const response = await fetch(`${url}/trpc/search`, {
      headers: { authorization: `Bearer ${await sign()}` },
    })
    expect(response.status).toBe(503)
    expect(await response.json()).toMatchObject({
      error: { data: { code: 'SERVICE_UNAVAILABLE', authCode: 'jwks_unavailable' } },
    })
  })
})

describe('procedures on a context built by hand (createCaller)', () => {
  const t = initTRPC.context<{ identity: Identity | null }>().create({ errorFormatter: authErrorFormatter })
  const { protectedProcedure, publicProcedure } = createAuthProcedures(t)
  const router = t.router({
    me: protectedProcedure.query(({ ctx }) => ctx.identity.subject),
    strict: publicProcedure.query(({ ctx }) => {
      // core's own check, thrown from a resolver, keeps its meaning
      if (!ctx.identity?.scopes.includes('admin'))
        throw new AuthError('insufficient_scope', 'requires the scopes: admin', { scopes: ['admin'] })
      return 'ok'
    }),
  })
  const caller = t.createCallerFactory(router)

  it('answers UNAUTHORIZED for a null identity and reads a given one', async () => {
    await expect(caller({ identity: null }).me()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      cause: { code: 'token_missing' },
    })
    const identity = await makeAuth().verify(await sign())
    expect(await caller({ identity }).me()).toBe('alice')
  })

  it('turns an AuthError thrown by a resolver into FORBIDDEN instead of an internal error', async () => {
    const identity = await makeAuth().verify(await sign())
    await expect(caller({ identity }).strict()).rejects.toMatchObject({
      code: 'FORBIDDEN',
      cause: { code: 'insufficient_scope', status: 403 },
    })
  })

  it('rejects an identity whose token expired since the context was made', async () => {
    const identity = await makeAuth().verify(await sign())
    const stale = { ...identity, expiresAt: new Date(Date.now() - 1000) }
    await expect(caller({ identity: stale }).me()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      cause: { code: 'token_expired' },
    })
  })
})
