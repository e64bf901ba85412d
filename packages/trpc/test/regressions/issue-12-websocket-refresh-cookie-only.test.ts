import { createTRPCClient, createWSClient, httpBatchLink, wsLink } from '@trpc/client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket } from 'ws'
import { serveStandalone } from '../support/fixtures.js'
import { serveWebSocket } from '../support/servers.js'
import { createSessionApp, type SessionRouter } from '../support/sessions.js'

// Browsers drop the access cookie when it expires, so a WebSocket opened later carries only the
// refresh cookie. A socket cannot refresh (its upgrade response carries no Set-Cookie), and it used
// to be silently anonymous. It now answers token_expired, telling the client to refresh over HTTP.
function socketWith(url: string, cookie: string) {
  class BrowserSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { cookie } })
    }
  }
  const ws = createWSClient({ url, WebSocket: BrowserSocket as never })
  onTestFinished(() => ws.close())
  return createTRPCClient<SessionRouter>({ links: [wsLink({ client: ws })] })
}

describe('a WebSocket opened with only the refresh cookie', () => {
  it('is told to refresh over HTTP first (token_expired), not treated as anonymous', async () => {
    const app = await createSessionApp()
    const onlyRefresh = app.browser.header().split('; ')[1]!
    const client = socketWith(await serveWebSocket(app), onlyRefresh)
    const expected = {
      data: { code: 'UNAUTHORIZED', authCode: 'token_expired' },
      message: expect.stringContaining('refresh the session over HTTP first'),
    }
    await expect(client.me.query()).rejects.toMatchObject(expected)
    // Public procedures too: the socket is not anonymous, it holds a session it cannot use yet.
    await expect(client.search.query()).rejects.toMatchObject(expected)
  })

  it('works once an HTTP call has refreshed the session and the socket reconnects', async () => {
    const app = await createSessionApp()
    const onlyRefresh = app.browser.header().split('; ')[1]!
    const url = await serveStandalone(app.router, app.createContext)
    const received: string[] = []
    const http = createTRPCClient<SessionRouter>({
      links: [
        httpBatchLink({
          url: `${url}/trpc`,
          headers: { cookie: onlyRefresh },
          fetch: async (input, init) => {
            const response = await fetch(input, init)
            received.push(...response.headers.getSetCookie())
            return response
          },
        }),
      ],
    })
    expect(await http.me.query()).toBe('alice')
    app.browser.apply(received)
    const client = socketWith(await serveWebSocket(app), app.browser.header())
    expect(await client.me.query()).toBe('alice')
  })
})
