import { createAuth } from '@portcullis/core'
import {
  type AuthMeta,
  authErrorFormatter,
  createAuthContext,
  createAuthProcedures,
  RENEWAL_MISMATCH_CLOSE_CODE,
  type RenewTokenOutput,
  renewTokenBeforeExpiry,
} from '@portcullis/trpc'
import { createTRPCClient, createWSClient, httpLink, type TRPCClientError, wsLink } from '@trpc/client'
import { initTRPC } from '@trpc/server'
import { describe, expect, expectTypeOf, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { audience, claims, issuer, secret, serveStandalone, sign } from './support/fixtures.js'
import { serveWebSocket } from './support/servers.js'
import { cookieJar, createSessionApp, type SessionRouter } from './support/sessions.js'

/** An app with three subscriptions that need different things, and the renewal mutation. */
function createRenewalApp() {
  // No clock tolerance: a token is over at its `exp`, so a missed renewal shows at once.
  const auth = createAuth({ issuer, audience, secret, claims, realm: 'api', clockTolerance: 0 })
  const createContext = createAuthContext(auth)
  const t = initTRPC.context<typeof createContext>().meta<AuthMeta>().create({
    errorFormatter: authErrorFormatter,
  })
  const { protectedProcedure, requireScopes, renewToken } = createAuthProcedures(t)
  const feed = (name: string) =>
    async function* ({ ctx, signal }: { ctx: { identity: { subject: string } }; signal?: AbortSignal }) {
      // Bounded: 600 events, 20 ms apart.
      for (let tick = 0; tick < 600 && !signal?.aborted; tick++) {
        yield `${name}:${ctx.identity.subject}:${tick}`
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
  const router = t.router({
    renewToken,
    whoami: protectedProcedure.query(({ ctx }) => ({
      subject: ctx.identity.subject,
      scopes: [...ctx.identity.scopes],
    })),
    ticks: protectedProcedure.subscription(feed('ticks')),
    reports: protectedProcedure.use(requireScopes(['read:reports'])).subscription(feed('reports')),
    admin: protectedProcedure.meta({ auth: { roles: ['admin'] } }).subscription(feed('admin')),
  })
  return { router, createContext }
}
type Router = ReturnType<typeof createRenewalApp>['router']

async function connect(token: string) {
  const url = await serveWebSocket(createRenewalApp())
  const events = { opened: 0, closes: [] as number[] }
  const ws = createWSClient({
    url,
    WebSocket: WebSocket as never,
    connectionParams: { token },
    onOpen: () => events.opened++,
    onClose: (cause) => events.closes.push(cause?.code ?? 0),
  })
  onTestFinished(() => ws.close())
  return { events, client: createTRPCClient<Router>({ links: [wsLink({ client: ws })] }) }
}

interface Stream {
  readonly data: string[]
  error?: TRPCClientError<Router>
  stop(): void
}

function follow(client: Awaited<ReturnType<typeof connect>>['client'], name: 'ticks' | 'reports' | 'admin') {
  const stream: Stream = { data: [], stop: () => subscription.unsubscribe() }
  const subscription = client[name].subscribe(undefined, {
    onData: (value) => stream.data.push(value),
    onError: (error) => {
      stream.error = error
    },
  })
  onTestFinished(() => subscription.unsubscribe())
  return stream
}

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s
const numbers = (data: readonly string[]) => data.map((event) => Number(event.split(':').pop()))

describe('renewing the token of an open WebSocket (renewToken)', () => {
  it('keeps a subscription running past three consecutive 3-second tokens, on one connection, losing no event', async () => {
    let issued = 0
    const getToken = () => {
      issued++
      return sign({ exp: inSeconds(3), roles: ['user', 'admin'] })
    }
    const first = await getToken()
    const { client, events } = await connect(first)
    const ticks = follow(client, 'ticks')
    const errors: unknown[] = []
    const renewal = renewTokenBeforeExpiry({
      getToken,
      mutate: (input) => client.renewToken.mutate(input),
      lead: 1_000,
      onError: (error) => errors.push(error),
    }).start(first)
    onTestFinished(() => renewal.stop())

    // Until the third renewed token is in: the first three tokens have all expired by then.
    const thirdExpired = inSeconds(3) * 1000 + 4_000
    await expect
      .poll(() => Date.now() > thirdExpired && issued >= 4, { timeout: 12_000, interval: 100 })
      .toBe(true)
    ticks.stop()
    expect(errors).toEqual([])
    expect(ticks.error).toBeUndefined()
    expect(events).toEqual({ opened: 1, closes: [] })
    // 0, 1, 2, ... with no gap: nothing was lost across the renewals.
    const seen = numbers(ticks.data)
    expect(seen.length).toBeGreaterThan(100)
    expect(seen).toEqual(seen.map((_, index) => index))
  }, 20_000)

  it('moves the deadline to the new token: without a renewal the same stream ends at exp', async () => {
    const { client } = await connect(await sign({ exp: inSeconds(2) }))
    const ticks = follow(client, 'ticks')
    await expect.poll(() => ticks.error, { timeout: 5_000 }).toBeDefined()
    expect(ticks.error?.data).toMatchObject({ code: 'UNAUTHORIZED', authCode: 'token_expired' })
  })

  it('makes later calls on the connection see the new identity', async () => {
    const { client } = await connect(await sign({ scope: 'read:reports' }))
    expectTypeOf(client.renewToken.mutate).returns.resolves.toEqualTypeOf<RenewTokenOutput>()
    expect(
      await client.renewToken.mutate({ token: await sign({ scope: 'read:reports write:reports' }) }),
    ).toMatchObject({ expiresAt: expect.any(Number) })
    expect(await client.whoami.query()).toEqual({
      subject: 'alice',
      scopes: ['read:reports', 'write:reports'],
    })
  })

  it('closes the connection (4403) when the new token names another subject', async () => {
    const { client, events } = await connect(await sign())
    const ticks = follow(client, 'ticks')
    await expect.poll(() => ticks.data.length).toBeGreaterThan(1)
    await expect(client.renewToken.mutate({ token: await sign({ sub: 'mallory' }) })).rejects.toBeDefined()
    await expect.poll(() => events.closes).toEqual([RENEWAL_MISMATCH_CLOSE_CODE])
    // Nothing ran as mallory.
    expect(ticks.data.every((event) => event.startsWith('ticks:alice:'))).toBe(true)
  })

  it('refuses, without closing, a token from an issuer it does not trust (a trusted other issuer is a mismatch: core test)', async () => {
    const { client, events } = await connect(await sign())
    await expect(
      client.renewToken.mutate({ token: await sign({ iss: 'https://other.example.com/' }) }),
    ).rejects.toBeDefined()
    // An unknown issuer is not verified at all: a rejection, the connection stays.
    expect(events.closes).toEqual([])
    expect(await client.whoami.query()).toMatchObject({ subject: 'alice' })
  })

  it('ends exactly the subscriptions the new token no longer allows, with FORBIDDEN', async () => {
    const { client } = await connect(await sign({ scope: 'read:reports', roles: ['user', 'admin'] }))
    const ticks = follow(client, 'ticks')
    const reports = follow(client, 'reports')
    const admin = follow(client, 'admin')
    await expect
      .poll(() => Math.min(ticks.data.length, reports.data.length, admin.data.length))
      .toBeGreaterThan(1)

    // Still an admin, no longer read:reports.
    await client.renewToken.mutate({ token: await sign({ scope: 'profile', roles: ['user', 'admin'] }) })
    await expect.poll(() => reports.error).toBeDefined()
    expect(reports.error?.data).toMatchObject({ code: 'FORBIDDEN', authCode: 'insufficient_scope' })
    const [ticksThen, adminThen] = [ticks.data.length, admin.data.length]
    await expect.poll(() => ticks.data.length).toBeGreaterThan(ticksThen + 2)
    await expect.poll(() => admin.data.length).toBeGreaterThan(adminThen + 2)
    expect(ticks.error).toBeUndefined()
    expect(admin.error).toBeUndefined()

    // No longer an admin: only `admin` ends.
    await client.renewToken.mutate({ token: await sign({ scope: 'profile', roles: ['user'] }) })
    await expect.poll(() => admin.error).toBeDefined()
    expect(admin.error?.data).toMatchObject({ code: 'FORBIDDEN', authCode: 'forbidden' })
    const ticksNow = ticks.data.length
    await expect.poll(() => ticks.data.length).toBeGreaterThan(ticksNow + 2)
    expect(ticks.error).toBeUndefined()
  })

  it('refuses an invalid new token with UNAUTHORIZED and keeps the connection as it was', async () => {
    const { client, events } = await connect(await sign({ scope: 'read:reports' }))
    const ticks = follow(client, 'ticks')
    await expect(
      client.renewToken.mutate({ token: await sign({ exp: inSeconds(-60) }) }),
    ).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED', authCode: 'token_expired' },
    })
    await expect(client.renewToken.mutate({ token: 'not.a.jwt' })).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED', authCode: 'token_malformed' },
    })
    await expect(client.renewToken.mutate({})).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED', authCode: 'token_missing' },
    })
    const before = ticks.data.length
    await expect.poll(() => ticks.data.length).toBeGreaterThan(before + 2)
    expect(ticks.error).toBeUndefined()
    expect(events.closes).toEqual([])
    expect(await client.whoami.query()).toMatchObject({ scopes: ['read:reports'] })
  })

  it('checks the client helper options', () => {
    expect(() => renewTokenBeforeExpiry({ getToken: () => 't' } as never)).toThrow(
      '"mutate" must be a function',
    )
    expect(() => renewTokenBeforeExpiry({ mutate: async () => ({}) } as never)).toThrow(
      '"getToken" must be a function',
    )
  })

  it('answers BAD_REQUEST over HTTP, where each request carries its own token', async () => {
    const app = createRenewalApp()
    const url = await serveStandalone(app.router, app.createContext)
    const token = await sign()
    const client = createTRPCClient<Router>({
      links: [httpLink({ url: `${url}/trpc`, headers: { authorization: `Bearer ${token}` } })],
    })
    await expect(client.renewToken.mutate({ token })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } })
  })
})

describe('a renewed connection is still checked against revocation', () => {
  it('ends its subscription at the next event once the new credential is revoked', async () => {
    // A client that holds its session cookies (a native app) renews with { cookie }.
    const app = await createSessionApp({
      recheckInterval: false,
      connectionParams: (params) => (params.cookie ? { cookie: params.cookie } : undefined),
    })
    const url = await serveWebSocket(app)
    const ws = createWSClient({
      url,
      WebSocket: WebSocket as never,
      connectionParams: { cookie: app.browser.header() },
    })
    onTestFinished(() => ws.close())
    const client = createTRPCClient<SessionRouter>({ links: [wsLink({ client: ws })] })
    const data: number[] = []
    let error: TRPCClientError<SessionRouter> | undefined
    const subscription = client.ticks.subscribe(undefined, {
      onData: (value) => data.push(value),
      onError: (cause) => {
        error = cause
      },
    })
    onTestFinished(() => subscription.unsubscribe())
    await expect.poll(() => data.length).toBeGreaterThan(1)

    // A second session of the same subject: the renewal takes it.
    const next = cookieJar()
    next.apply((await app.sessions.issue({ subject: 'alice' })).setCookie)
    await client.renewToken.mutate({ cookie: next.header() })
    const renewedAt = data.length
    await expect.poll(() => data.length).toBeGreaterThan(renewedAt + 2)
    expect(error).toBeUndefined()

    await app.sessions.logout({ cookie: next.header() })
    await expect.poll(() => error).toBeDefined()
    expect(error?.data).toMatchObject({ code: 'UNAUTHORIZED', authCode: 'revoked' })
  })
})
