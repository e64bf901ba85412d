import { createTRPCClient, createWSClient, httpSubscriptionLink, wsLink } from '@trpc/client'
import { EventSource } from 'eventsource'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { makeAuth, serveStandalone, sign } from '../support/fixtures.js'
import { type AppRouter, createApp } from '../support/router.js'
import { serveWebSocket } from '../support/servers.js'

// `?connectionParams={"token":...}` on a plain HTTP query overrode the request's own credentials: a
// crafted link made a victim's browser act as the attacker, and put tokens in URLs. Connection params
// are now read on WebSocket connections and SSE subscriptions only, and never over a credential the
// request itself carries.
const params = (token: string) => `connectionParams=${encodeURIComponent(JSON.stringify({ token }))}`

async function start() {
  const app = createApp(makeAuth())
  return { app, url: await serveStandalone(app.router, app.createContext) }
}

const resultOf = async (response: Response) =>
  ((await response.json()) as { result?: { data: unknown } }).result

describe('connectionParams on plain HTTP calls', () => {
  it("never override the request's own Authorization header", async () => {
    const { url } = await start()
    const attacker = await sign({ sub: 'mallory' })
    const response = await fetch(`${url}/trpc/search?${params(attacker)}`, {
      headers: { authorization: `Bearer ${await sign({ sub: 'alice' })}` },
    })
    expect(await resultOf(response)).toEqual({ data: 'alice' })
  })

  it('are ignored on a query or mutation, even without credentials of its own', async () => {
    const { url } = await start()
    const response = await fetch(`${url}/trpc/search?${params(await sign({ sub: 'mallory' }))}`)
    expect(await resultOf(response)).toEqual({ data: 'anonymous' })
    expect((await fetch(`${url}/trpc/me?${params(await sign({ sub: 'mallory' }))}`)).status).toBe(401)
  })
})

describe('connectionParams on subscriptions', () => {
  it('authenticate an SSE subscription that carries no credential of its own', async () => {
    const { url } = await start()
    const token = await sign({ sub: 'carol' })
    const client = createTRPCClient<AppRouter>({
      links: [httpSubscriptionLink({ url: `${url}/trpc`, EventSource, connectionParams: { token } })],
    })
    const first = await new Promise<string>((resolve, reject) => {
      const subscription = client.ticks.subscribe(undefined, {
        onData(value) {
          subscription.unsubscribe()
          resolve(value)
        },
        onError: reject,
      })
    })
    expect(first).toBe('carol:0')
  })

  it("on SSE, never override the request's own cookie", async () => {
    const { url } = await start()
    const cookie = `__session=${await sign({ sub: 'alice' })}`
    const client = createTRPCClient<AppRouter>({
      links: [
        httpSubscriptionLink({
          url: `${url}/trpc`,
          EventSource,
          connectionParams: { token: await sign({ sub: 'mallory' }) },
          eventSourceOptions: {
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, cookie } }),
          },
        }),
      ],
    })
    const first = await new Promise<string>((resolve, reject) => {
      const subscription = client.ticks.subscribe(undefined, {
        onData(value) {
          subscription.unsubscribe()
          resolve(value)
        },
        onError: reject,
      })
    })
    expect(first).toBe('alice:0')
  })

  it("on a WebSocket, never override the upgrade request's own credentials", async () => {
    const { app } = await start()
    const url = await serveWebSocket(app)
    const alice = await sign({ sub: 'alice' })
    class BrowserSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { authorization: `Bearer ${alice}` } })
      }
    }
    const ws = createWSClient({
      url,
      WebSocket: BrowserSocket as never,
      connectionParams: { token: await sign({ sub: 'mallory' }) },
    })
    onTestFinished(() => ws.close())
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] })
    expect(await client.search.query()).toBe('alice')
  })

  it('authenticate a WebSocket whose upgrade request has no credentials', async () => {
    const { app } = await start()
    const url = await serveWebSocket(app)
    const ws = createWSClient({
      url,
      WebSocket: WebSocket as never,
      connectionParams: { token: await sign({ sub: 'carol' }) },
    })
    onTestFinished(() => ws.close())
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] })
    expect(await client.search.query()).toBe('carol')
  })
})
