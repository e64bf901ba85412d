import { createTRPCClient, createWSClient, wsLink } from '@trpc/client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { serveWebSocket } from '../support/servers.js'
import { createSessionApp, type SessionRouter } from '../support/sessions.js'

// A socket opened with the session cookie kept running protected mutations after
// `sessions.revoke()`, until the access token expired: the context was verified once, at connection.
// Each call and each subscription event now reads the session store again, as an HTTP request does.
async function openSocket(app: Awaited<ReturnType<typeof createSessionApp>>) {
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
  return { cookie, client: createTRPCClient<SessionRouter>({ links: [wsLink({ client: ws })] }) }
}

describe('a revoked session stops an open WebSocket', () => {
  it('at its next call, with one store read per call', async () => {
    const app = await createSessionApp({ recheckInterval: false })
    const { cookie, client } = await openSocket(app)
    expect(await client.publish.mutate()).toBe('published by alice')
    const before = app.reads.count
    expect(await client.publish.mutate()).toBe('published by alice')
    expect(app.reads.count - before).toBe(1)

    await app.sessions.logout({ cookie })
    await expect(client.publish.mutate()).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED', authCode: 'revoked' },
    })
    await expect(client.me.query()).rejects.toMatchObject({ data: { authCode: 'revoked' } })
  })

  it('at its next subscription event, without waiting for a periodic re-check', async () => {
    const app = await createSessionApp({ recheckInterval: false })
    const { cookie, client } = await openSocket(app)
    const outcome = await new Promise<{ data: number[]; error?: unknown }>((resolve) => {
      const data: number[] = []
      const subscription = client.ticks.subscribe(undefined, {
        onData(value) {
          data.push(value)
          if (data.length === 2) void app.sessions.logout({ cookie })
          // Bounded: without the check, the stream would go on.
          if (data.length === 20) {
            subscription.unsubscribe()
            resolve({ data })
          }
        },
        onError: (error) => resolve({ data, error }),
      })
    })
    expect(outcome.error).toMatchObject({ data: { code: 'UNAUTHORIZED', authCode: 'revoked' } })
    expect(outcome.data.length).toBeLessThan(5)
  })
})
