import { describe, expect, it } from 'vitest'
import { listen, post, ws } from '../support/server.js'
import { cookieHeader, createSessionAuth } from '../support/sessions.js'

// Browsers drop the access cookie when it expires, so a graphql-ws socket opened later carries only
// the refresh cookie. A socket cannot refresh; it used to be silently anonymous. It now answers
// token_expired, telling the client to refresh over HTTP first.
describe('a graphql-ws socket opened with only the refresh cookie', () => {
  it('is told to refresh over HTTP first (token_expired), and nothing rotates', async () => {
    const setup = createSessionAuth()
    const { http, ws: url } = await listen({ auth: setup.auth, now: setup.clock.now })
    const { cookie } = await setup.signIn()
    const onlyRefresh = cookie.split('; ')[1]!
    const results = await ws(url, 'subscription { ticks(count: 1) }', { cookie: onlyRefresh })
    expect(results[0]?.errors?.[0]).toMatchObject({
      message: expect.stringContaining('refresh the session over HTTP first'),
      extensions: { code: 'UNAUTHENTICATED', reason: 'token_expired' },
    })
    expect(setup.store.rotations).toBe(0)

    // An HTTP request refreshes from the same cookie; the socket then works.
    const refreshed = await post(http, { query: '{ me { id } }' }, { cookie: onlyRefresh })
    expect(refreshed).toMatchObject({ status: 200, body: { data: { me: { id: 'alice' } } } })
    const fresh = cookieHeader(refreshed.headers.getSetCookie())
    expect(await ws(url, 'subscription { ticks(count: 1) }', { cookie: fresh })).toEqual([
      { data: { ticks: 1 } },
    ])
  })
})
