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

/**
 * A clock shared by createAuth and createAuthContext, standing still `ms` before the token's `exp`
 * until `expire()` moves it past: however slow the setup, the token is valid until the test says.
 */
function tokenClock(ms = 200) {
  const exp = Math.ceil(Date.now() / 1000) + 60
  let current = exp * 1000 - ms
  return {
    exp,
    now: () => current,
    expire() {
      current = exp * 1000 + 1
    },
  }
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
  onData?: (value: string) => void,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { data: [], completed: false }
    const subscription = client.ticks.subscribe(undefined, {
      onData(value) {
        outcome.data.push(value)
        onData?.(value)
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
    const clock = tokenClock()
    // No `now` for the adapter: it uses the verifier's clock.
    const app = createApp(makeAuth(clock.now))
    const url = await serveStandalone(app.router, app.createContext)
    const outcome = await collect(sseClient(url, await sign({ exp: clock.exp })), undefined, clock.expire)
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
    const clock = tokenClock()
    const app = createApp(makeAuth(clock.now), { now: clock.now })
    const url = await serveWebSocket(app)
    // The token expires once the first event is in; the subscription's timer then ends it.
    const outcome = await collect(
      wsClient(url, { token: await sign({ exp: clock.exp }) }),
      undefined,
      clock.expire,
    )
    expect(outcome.data.length).toBeGreaterThan(0)
    expect(outcome.error?.data).toMatchObject({ code: 'UNAUTHORIZED', authCode: 'token_expired' })
    // The resolver's source is stopped too, not left running behind the closed subscription.
    await expect.poll(() => app.sources.stopped).toBe(1)
  })

  it('answer calls on a connection that outlived its token with UNAUTHORIZED (token_expired)', async () => {
    const clock = tokenClock()
    const url = await serveWebSocket(createApp(makeAuth(clock.now), { now: clock.now }))
    const client = wsClient(url, { token: await sign({ exp: clock.exp }) })
    expect(await client.me.query()).toMatchObject({ subject: 'alice' })
    clock.expire()
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
})
