import { AuthError } from '@portcullis/core'
import {
  createTRPCClient,
  createWSClient,
  httpSubscriptionLink,
  type TRPCClientError,
  wsLink,
} from '@trpc/client'
import { EventSource } from 'eventsource'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { makeAuth, serveStandalone, sign } from './support/fixtures.js'
import { type AppRouter, createApp } from './support/router.js'
import { serveWebSocket } from './support/servers.js'

/** A clock running `ahead` ms ahead, shared by createAuth and createAuthContext. */
function clockExpiringIn(ms: number) {
  const exp = Math.ceil(Date.now() / 1000) + 60
  const ahead = exp * 1000 - Date.now() - ms
  return { exp, now: () => Date.now() + ahead }
}

interface Outcome {
  data: string[]
  error?: TRPCClientError<AppRouter>
  completed: boolean
}

/** Subscribes to `ticks` until it errors, completes or `stopAfter` events arrive. */
function collect(
  client: ReturnType<typeof createTRPCClient<AppRouter>>,
  stopAfter = Number.POSITIVE_INFINITY,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { data: [], completed: false }
    const subscription = client.ticks.subscribe(undefined, {
      onData(value) {
        outcome.data.push(value)
        if (outcome.data.length >= stopAfter) {
          subscription.unsubscribe()
          resolve(outcome)
        }
      },
      onError(error) {
        outcome.error = error
        resolve(outcome)
      },
      onComplete() {
        outcome.completed = true
        resolve(outcome)
      },
    })
  })
}

function sseClient(url: string, token?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpSubscriptionLink({
        url: `${url}/trpc`,
        EventSource,
        // Browsers send cookies only; a Node EventSource can send a bearer header.
        eventSourceOptions: {
          fetch: (input, init) =>
            fetch(input, {
              ...init,
              headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
            }),
        },
      }),
    ],
  })
}

function wsClient(url: string, connectionParams: Record<string, string> = {}) {
  const client = createWSClient({ url, WebSocket: WebSocket as never, connectionParams })
  onTestFinished(() => client.close())
  return createTRPCClient<AppRouter>({ links: [wsLink({ client })] })
}

describe('SSE subscriptions (httpSubscriptionLink)', () => {
  it('stream for a valid bearer token', async () => {
    const app = createApp(makeAuth())
    const url = await serveStandalone(app.router, app.createContext)
    const outcome = await collect(sseClient(url, await sign()), 3)
    expect(outcome.data).toEqual(['alice:0', 'alice:1', 'alice:2'])
  })

  it('end with UNAUTHORIZED (token_expired) when the token expires', async () => {
    const clock = clockExpiringIn(300)
    const app = createApp(makeAuth(clock.now), { now: clock.now })
    const url = await serveStandalone(app.router, app.createContext)
    const outcome = await collect(sseClient(url, await sign({ exp: clock.exp })))
    expect(outcome.data.length).toBeGreaterThan(0)
    expect(outcome.error?.data).toMatchObject({ code: 'UNAUTHORIZED', authCode: 'token_expired' })
    await expect.poll(() => app.sources.stopped).toBe(1)
  })

  it('refuse an anonymous subscriber with UNAUTHORIZED (token_missing)', async () => {
    const app = createApp(makeAuth())
    const url = await serveStandalone(app.router, app.createContext)
    const outcome = await collect(sseClient(url))
    expect(outcome.data).toEqual([])
    expect(outcome.error?.data).toMatchObject({ code: 'UNAUTHORIZED', authCode: 'token_missing' })
  })

  it('refuse an expired token with UNAUTHORIZED (token_expired) instead of reconnecting', async () => {
    const app = createApp(makeAuth())
    const url = await serveStandalone(app.router, app.createContext)
    const outcome = await collect(sseClient(url, await sign({ exp: Math.floor(Date.now() / 1000) - 60 })))
    expect(outcome.data).toEqual([])
    expect(outcome.error?.data).toMatchObject({ code: 'UNAUTHORIZED', authCode: 'token_expired' })
  })

  it('read a token from connectionParams', async () => {
    const app = createApp(makeAuth())
    const url = await serveStandalone(app.router, app.createContext)
    const token = await sign()
    const client = createTRPCClient<AppRouter>({
      links: [httpSubscriptionLink({ url: `${url}/trpc`, EventSource, connectionParams: { token } })],
    })
    expect((await collect(client, 1)).data).toEqual(['alice:0'])
  })
})

describe('WebSocket subscriptions (wsLink)', () => {
  it('authenticate with connectionParams { token }', async () => {
    const url = await serveWebSocket(createApp(makeAuth()))
    const outcome = await collect(wsClient(url, { token: await sign({ sub: 'bob' }) }), 2)
    expect(outcome.data).toEqual(['bob:0', 'bob:1'])
  })

  it('end with UNAUTHORIZED (token_expired) when the token expires', async () => {
    const clock = clockExpiringIn(300)
    const app = createApp(makeAuth(clock.now), { now: clock.now })
    const url = await serveWebSocket(app)
    const outcome = await collect(wsClient(url, { token: await sign({ exp: clock.exp }) }))
    expect(outcome.data.length).toBeGreaterThan(0)
    expect(outcome.error?.data).toMatchObject({ code: 'UNAUTHORIZED', authCode: 'token_expired' })
    // The resolver's source is stopped too, not left running behind the closed subscription.
    await expect.poll(() => app.sources.stopped).toBe(1)
  })

  it('answer calls on a connection that outlived its token with UNAUTHORIZED (token_expired)', async () => {
    const clock = clockExpiringIn(200)
    const url = await serveWebSocket(createApp(makeAuth(clock.now), { now: clock.now }))
    const client = wsClient(url, { token: await sign({ exp: clock.exp }) })
    expect(await client.me.query()).toMatchObject({ subject: 'alice' })
    await new Promise((resolve) => setTimeout(resolve, 250))
    await expect(client.me.query()).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED', authCode: 'token_expired' },
    })
  })

  it('fail each call with UNAUTHORIZED for a broken token, without closing the socket', async () => {
    const url = await serveWebSocket(createApp(makeAuth()))
    const client = wsClient(url, { token: 'not.a.jwt' })
    const outcome = await collect(client)
    expect(outcome.error?.data).toMatchObject({ code: 'UNAUTHORIZED', authCode: 'token_malformed' })
    await expect(client.search.query()).rejects.toMatchObject({ data: { authCode: 'token_malformed' } })
  })

  it('end with UNAUTHORIZED once a periodic re-check rejects the credentials (revocation)', async () => {
    const auth = makeAuth()
    let revoked = false
    // Test-only: a real verifier whose session store has revoked the session.
    const revocable: typeof auth = {
      ...auth,
      authenticate: async (request) =>
        revoked
          ? { status: 'rejected', error: new AuthError('revoked', 'session was revoked') }
          : auth.authenticate(request),
    }
    const url = await serveWebSocket(createApp(revocable, { recheckInterval: '40ms' }))
    const client = wsClient(url, { token: await sign() })
    const outcome = await new Promise<Outcome>((resolve) => {
      const result: Outcome = { data: [], completed: false }
      client.ticks.subscribe(undefined, {
        onData(value) {
          result.data.push(value)
          if (result.data.length === 2) revoked = true
        },
        onError(error) {
          result.error = error
          resolve(result)
        },
        onComplete: () => resolve(result),
      })
    })
    expect(outcome.data.length).toBeGreaterThanOrEqual(2)
    expect(outcome.error?.data).toMatchObject({ code: 'UNAUTHORIZED', authCode: 'revoked' })
  })
})
