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
import { serveStandalone } from './support/fixtures.js'
import { serveWebSocket } from './support/servers.js'
import { createSessionApp, type SessionRouter } from './support/sessions.js'

interface Outcome {
  data: number[]
  error?: TRPCClientError<SessionRouter>
}

/** Subscribes to `ticks`, logs the session out after two events, and waits for the end. */
function revokeWhileSubscribed(
  client: ReturnType<typeof createTRPCClient<SessionRouter>>,
  logout: () => unknown,
) {
  return new Promise<Outcome>((resolve) => {
    const outcome: Outcome = { data: [] }
    client.ticks.subscribe(undefined, {
      onData(value) {
        outcome.data.push(value)
        if (outcome.data.length === 2) void logout()
      },
      onError(error) {
        outcome.error = error
        resolve(outcome)
      },
      onComplete: () => resolve(outcome),
    })
  })
}

describe('core sessions through tRPC', () => {
  it('end an SSE subscription with UNAUTHORIZED (revoked) once the session is logged out', async () => {
    const app = await createSessionApp()
    const url = await serveStandalone(app.router, app.createContext)
    const cookie = app.browser.header()
    const client = createTRPCClient<SessionRouter>({
      links: [
        httpSubscriptionLink({
          url: `${url}/trpc`,
          EventSource,
          eventSourceOptions: {
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, cookie } }),
          },
        }),
      ],
    })
    const outcome = await revokeWhileSubscribed(client, () => app.sessions.logout({ cookie }))
    expect(outcome.data.length).toBeGreaterThanOrEqual(2)
    expect(outcome.error?.data).toMatchObject({ code: 'UNAUTHORIZED', authCode: 'revoked' })
  })

  it('refreshes an expired session when an SSE subscription starts, with the cookies on its response', async () => {
    const app = await createSessionApp()
    const url = await serveStandalone(app.router, app.createContext)
    app.clock.advance(10 * 60_000) // the access cookie has expired; the refresh cookie has not
    const cookie = app.browser.header()
    const received: string[][] = []
    const client = createTRPCClient<SessionRouter>({
      links: [
        httpSubscriptionLink({
          url: `${url}/trpc`,
          EventSource,
          eventSourceOptions: {
            fetch: async (input, init) => {
              const response = await fetch(input, { ...init, headers: { ...init.headers, cookie } })
              received.push(response.headers.getSetCookie())
              return response
            },
          },
        }),
      ],
    })
    const first = await new Promise<number>((resolve, reject) => {
      const subscription = client.ticks.subscribe(undefined, {
        onData(value) {
          subscription.unsubscribe()
          resolve(value)
        },
        onError: reject,
      })
    })
    expect(first).toBe(0)
    expect(received[0]).toHaveLength(2)
  })

  it('end a WebSocket subscription authenticated by cookie once the session is logged out', async () => {
    const app = await createSessionApp()
    const url = await serveWebSocket(app)
    const cookie = app.browser.header()
    // A browser sends its cookies on the upgrade request.
    class BrowserSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { cookie } })
      }
    }
    const ws = createWSClient({ url, WebSocket: BrowserSocket as never })
    onTestFinished(() => ws.close())
    const client = createTRPCClient<SessionRouter>({ links: [wsLink({ client: ws })] })
    expect(await client.me.query()).toBe('alice')
    const outcome = await revokeWhileSubscribed(client, () => app.sessions.logout({ cookie }))
    expect(outcome.data.length).toBeGreaterThanOrEqual(2)
    expect(outcome.error?.data).toMatchObject({ code: 'UNAUTHORIZED', authCode: 'revoked' })
  })
})
