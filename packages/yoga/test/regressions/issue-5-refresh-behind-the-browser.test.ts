import { envelop, useEngine, useSchema } from '@envelop/core'
import { useAuth } from '@portcullis/yoga'
import * as graphql from 'graphql'
import { describe, expect, it } from 'vitest'
import { makeSchema } from '../fixtures.js'
import { listen, post, sse, ws } from '../support/server.js'
import { cookieHeader, createSessionAuth } from '../support/sessions.js'

// A refresh rotates the refresh token. Where the new cookies cannot reach the browser, its next
// refresh presents the old token, core takes that for theft (`refresh_reused`) and ends the session.
// The plugin used to refresh on every re-check of a subscription, on WebSocket upgrade cookies and
// in bare Envelop: a user who opened a live view after a coffee break was logged out everywhere.
describe('the plugin never rotates a refresh token behind the browser', () => {
  it('an SSE subscription opened with an expired access cookie keeps the session alive past the grace', async () => {
    const setup = createSessionAuth()
    const { http } = await listen({ auth: setup.auth, now: setup.clock.now })
    const { cookie } = await setup.signIn()
    setup.clock.advance(2 * 60_000)
    // Each event moves the clock past the refresh grace (10 s) before the next event's re-check.
    const { status, headers, events } = await sse(
      http,
      'subscription { ticks(count: 3, every: 40) }',
      { cookie },
      () => setup.clock.advance(11_000),
    )
    expect(status).toBe(200)
    expect(events).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }, { data: { ticks: 3 } }])
    expect(setup.store.rotations).toBe(1)

    // The cookies the SSE response set keep working, and refresh again when their turn comes.
    const jar = cookieHeader(headers.getSetCookie())
    setup.clock.advance(2 * 60_000)
    const later = await post(http, { query: '{ me { id } }' }, { cookie: jar })
    expect(later.status).toBe(200)
    expect(later.headers.getSetCookie()).toHaveLength(2)
  })

  it('a graphql-ws subscription does not refresh from the upgrade request cookies', async () => {
    const setup = createSessionAuth()
    const { http, ws: url } = await listen({ auth: setup.auth, now: setup.clock.now })
    const { cookie } = await setup.signIn()
    setup.clock.advance(2 * 60_000)
    const results = await ws(url, 'subscription { ticks(count: 1) }', { cookie })
    expect(results).toHaveLength(1)
    expect(results[0]?.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'token_expired',
    })
    expect(setup.store.rotations).toBe(0)

    // Past the grace, the browser's refresh cookie still refreshes over HTTP.
    setup.clock.advance(11_000)
    const refreshed = await post(http, { query: '{ me { id } }' }, { cookie })
    expect(refreshed).toMatchObject({ status: 200, body: { data: { me: { id: 'alice' } } } })
    expect(refreshed.headers.getSetCookie()).toHaveLength(2)
  })

  it('bare Envelop, which has no response to carry cookies, does not refresh', async () => {
    const setup = createSessionAuth()
    const getEnveloped = envelop({
      plugins: [useEngine(graphql), useSchema(makeSchema()), useAuth({ auth: setup.auth })],
    })
    const { cookie } = await setup.signIn()
    setup.clock.advance(2 * 60_000)
    const request = new Request('http://localhost/graphql', { headers: { cookie } })
    const { contextFactory, execute, parse, schema } = getEnveloped({ request })
    const contextValue = await contextFactory()
    expect(contextValue.identity).toBeNull()
    const result = await execute({ schema, document: parse('{ me { id } }'), contextValue })
    expect(result).toMatchObject({
      errors: [{ extensions: { code: 'UNAUTHENTICATED', reason: 'token_expired' } }],
    })
    expect(setup.store.rotations).toBe(0)
  })
})
