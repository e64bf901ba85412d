import { inspect } from 'node:util'
import { type UseAuthOptions, useAuth } from '@portcullis/yoga'
import { createYoga, type Plugin } from 'graphql-yoga'
import { describe, expect, it } from 'vitest'
import { makeSchema } from './fixtures.js'
import { listen, post, type Result } from './support/server.js'
import { cookieHeader, createSessionAuth } from './support/sessions.js'

type Setup = ReturnType<typeof createSessionAuth>
type Send = (
  body: unknown,
  headers: Record<string, string>,
) => Promise<{ status: number; headers: Headers; body: unknown }>

/** The same Yoga (batching on) reached through `yoga.fetch`, and through a real HTTP server. */
const transports: Record<
  string,
  (setup: Setup, options?: Partial<UseAuthOptions<unknown>>) => Promise<Send>
> = {
  'yoga.fetch': async (setup, options) => {
    const yoga = createYoga({
      schema: makeSchema(),
      plugins: [useAuth({ auth: setup.auth, now: setup.clock.now, ...options })],
      batching: true,
      logging: false,
    })
    return async (body, headers) => {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
      return { status: response.status, headers: response.headers, body: await response.json() }
    }
  },
  'a real HTTP server': async (setup, options) => {
    const { http } = await listen({ auth: setup.auth, now: setup.clock.now, ...options }, { batching: true })
    return (body, headers) => post(http, body, headers)
  },
}

const names = (setCookie: readonly string[]) => setCookie.map((line) => line.slice(0, line.indexOf('=')))
const me = { query: '{ me { id } }' }

describe.each(Object.entries(transports))('core sessions through %s', (_, start) => {
  it('refreshes an expired access cookie: the data, and the new cookies on the response', async () => {
    const setup = createSessionAuth()
    const send = await start(setup)
    const { cookie } = await setup.signIn()
    setup.clock.advance(2 * 60_000)
    const refreshed = await send(me, { cookie })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body).toEqual({ data: { me: { id: 'alice' } } })
    const setCookie = refreshed.headers.getSetCookie()
    expect(names(setCookie)).toEqual(['session', 'session-refresh'])
    expect(setup.store.rotations).toBe(1)

    // The browser's new cookies work as they are: no second refresh, no cookies to set.
    const next = await send(me, { cookie: cookieHeader(setCookie) })
    expect(next.status).toBe(200)
    expect(next.headers.getSetCookie()).toEqual([])
    expect(setup.store.rotations).toBe(1)
  })

  it('refreshes once for a batch: every operation runs, the cookies are set once', async () => {
    const setup = createSessionAuth()
    const send = await start(setup)
    const { cookie } = await setup.signIn()
    setup.clock.advance(2 * 60_000)
    const batch = [me, { query: '{ reports { title } }' }, { query: '{ health }' }]
    const { status, headers, body } = await send(batch, { cookie })
    expect(status).toBe(200)
    expect(body).toEqual([
      { data: { me: { id: 'alice' } } },
      { data: { reports: [{ title: 'Q0' }, { title: 'Q1' }] } },
      { data: { health: 'ok' } },
    ])
    expect(names(headers.getSetCookie())).toEqual(['session', 'session-refresh'])
    expect(setup.store.rotations).toBe(1)
  })

  it('rejects a revoked session with 401 revoked on the next request, and clears its cookies', async () => {
    const setup = createSessionAuth()
    const send = await start(setup)
    const { cookie, sessionId } = await setup.signIn()
    expect((await send(me, { cookie })).status).toBe(200)
    await setup.sessions.revoke(sessionId)

    // The access token was verified (and cached) a moment ago: revocation still holds.
    const revoked = await send(me, { cookie })
    expect(revoked.status).toBe(401)
    expect(revoked.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect((revoked.body as Result).errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'revoked',
    })
    const cleared = revoked.headers.getSetCookie()
    expect(names(cleared)).toEqual(['session', 'session-refresh'])
    expect(cleared.every((line) => line.includes('Max-Age=0'))).toBe(true)

    // Nor does the refresh cookie bring it back once the access token has expired.
    setup.clock.advance(2 * 60_000)
    const expired = await send(me, { cookie })
    expect(expired.status).toBe(401)
    expect((expired.body as Result).errors?.[0]?.extensions).toMatchObject({ reason: 'revoked' })
  })

  it('answers 503 store_unavailable without a challenge while the session store is down', async () => {
    const setup = createSessionAuth()
    // Even with invalidToken 'anonymous': a 503 is not an invalid token.
    const send = await start(setup, { invalidToken: 'anonymous' })
    const { cookie } = await setup.signIn()
    setup.store.down = true
    const { status, headers, body } = await send({ query: '{ health }' }, { cookie })
    expect(status).toBe(503)
    expect(headers.get('www-authenticate')).toBeNull()
    expect((body as Result).errors?.[0]?.extensions).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      reason: 'store_unavailable',
    })
  })
})

describe('what useAuth keeps on the request and context', () => {
  it('keeps no token there: a refresh’s new cookies reach only the response', async () => {
    const setup = createSessionAuth()
    const contexts: Record<string | symbol, unknown>[] = []
    const recorder: Plugin = {
      onExecute: ({ args }) => void contexts.push(args.contextValue as unknown as Record<symbol, unknown>),
    }
    const yoga = createYoga({
      schema: makeSchema(),
      plugins: [useAuth({ auth: setup.auth, now: setup.clock.now }), recorder],
      logging: false,
    })
    const { cookie } = await setup.signIn()
    setup.clock.advance(2 * 60_000)
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(me),
    })
    expect(await response.json()).toEqual({ data: { me: { id: 'alice' } } })
    const tokens = response.headers.getSetCookie().map((line) => line.split(';', 1)[0]!.split('=')[1]!)
    expect(tokens).toHaveLength(2)

    const [context] = contexts
    const request = context!.request as Request
    for (const target of [context!, request] as object[]) {
      // The plugin's state is in private fields. The one property it sets is the resolve-time check, a
      // function that proxies and copies of the context must still find; it holds nothing to show.
      for (const key of Object.getOwnPropertySymbols(target))
        if (key.description?.startsWith('portcullis'))
          expect(typeof (target as Record<symbol, unknown>)[key]).toBe('function')
    }
    expect(context!.identity).toMatchObject({ subject: 'alice' })
    const text = inspect([context, request], { depth: 8, showHidden: true, getters: true })
    expect(text).toContain('alice')
    for (const token of tokens) expect(text).not.toContain(token)
  })
})
