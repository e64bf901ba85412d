import { createTRPCClient, createWSClient, httpSubscriptionLink, wsLink } from '@trpc/client'
import { EventSource } from 'eventsource'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { serveStandalone } from '../support/fixtures.js'
import { serveWebSocket } from '../support/servers.js'
import { createSessionApp, type SessionRouter } from '../support/sessions.js'

// A refresh rotates the refresh token. Where the new cookies cannot reach the browser, its next
// refresh presents the old token, core takes that for theft (`refresh_reused`) and revokes the
// session. Subscription re-checks used to authenticate the original cookies with refresh on: a
// stream opened with an expired access cookie refreshed again on every re-check, behind the browser.
describe('subscriptions never rotate a refresh token behind the browser', () => {
  it('an SSE subscription opened with an expired access cookie keeps the session alive', async () => {
    const app = await createSessionApp()
    const url = await serveStandalone(app.router, app.createContext)
    app.clock.advance(10 * 60_000) // the access cookie has expired; the refresh cookie has not
    const cookie = app.browser.header()
    const client = createTRPCClient<SessionRouter>({
      links: [
        httpSubscriptionLink({
          url: `${url}/trpc`,
          EventSource,
          eventSourceOptions: {
            fetch: async (input, init) => {
              const response = await fetch(input, { ...init, headers: { ...init.headers, cookie } })
              // The browser keeps what the stream's response set.
              app.browser.apply(response.headers.getSetCookie())
              return response
            },
          },
        }),
      ],
    })
    // Each event moves the clock past the refresh grace (10 s), so a re-check that refreshed from
    // the old refresh cookie would be taken for reuse.
    const outcome = await new Promise<{ data: number[]; error?: unknown }>((resolve) => {
      const data: number[] = []
      const subscription = client.ticks.subscribe(undefined, {
        onData(value) {
          data.push(value)
          app.clock.advance(11_000)
          if (data.length === 5) {
            subscription.unsubscribe()
            resolve({ data })
          }
        },
        onError: (error) => resolve({ data, error }),
      })
    })
    expect(outcome.error).toBeUndefined()
    expect(outcome.data).toEqual([0, 1, 2, 3, 4])

    // The cookies the stream's response set still work, and refresh again when their turn comes.
    app.clock.advance(10 * 60_000)
    const later = createTRPCClient<SessionRouter>({
      links: [
        httpSubscriptionLink({
          url: `${url}/trpc`,
          EventSource,
          eventSourceOptions: {
            fetch: (input, init) =>
              fetch(input, { ...init, headers: { ...init.headers, cookie: app.browser.header() } }),
          },
        }),
      ],
    })
    const first = await new Promise<number>((resolve, reject) => {
      const subscription = later.ticks.subscribe(undefined, {
        onData(value) {
          subscription.unsubscribe()
          resolve(value)
        },
        onError: reject,
      })
    })
    expect(first).toBe(0)
  })

  it('a WebSocket connection does not refresh from the upgrade request cookies', async () => {
    const app = await createSessionApp()
    const url = await serveWebSocket(app)
    app.clock.advance(10 * 60_000)
    const cookie = app.browser.header()
    class BrowserSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { cookie } })
      }
    }
    const ws = createWSClient({ url, WebSocket: BrowserSocket as never })
    onTestFinished(() => ws.close())
    const client = createTRPCClient<SessionRouter>({ links: [wsLink({ client: ws })] })
    await expect(client.me.query()).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED', authCode: 'token_expired' },
    })

    // Past the grace, the browser's refresh cookie still refreshes over HTTP.
    app.clock.advance(11_000)
    expect((await app.sessions.refresh({ cookie })).setCookie).toHaveLength(2)
  })
})
