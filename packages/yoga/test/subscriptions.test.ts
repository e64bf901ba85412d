import { AuthError, createAuth } from '@portcullis/core'
import type { ExecutionResult } from 'graphql'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { guardStream } from '../src/subscriptions.js'
import { audience, issuer, secret, sign, streams } from './fixtures.js'
import { listen, post, type Result, sse, ws } from './support/server.js'
import { createSessionAuth } from './support/sessions.js'

/**
 * A token valid for minutes, and a plugin clock running ahead so that it expires 300 ms from now:
 * the cut-off is tested without waiting for the real expiry.
 */
async function expiringSoon() {
  const exp = Math.floor(Date.now() / 1000) + 300
  const ahead = exp * 1000 - Date.now() - 300
  return { token: await sign({ exp }), now: () => Date.now() + ahead }
}

const reasonOf = (result: Result | undefined) => result?.errors?.[0]?.extensions

describe('over a real HTTP server', () => {
  it('answers 401 with a challenge, and 200 for a bearer token', async () => {
    const { http } = await listen()
    const anonymous = await post(http, { query: '{ me { id } }' })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')
    expect(reasonOf(anonymous.body)).toEqual({ code: 'UNAUTHENTICATED', reason: 'token_missing' })
    const authorized = await post(
      http,
      { query: '{ me { id } }' },
      { authorization: `Bearer ${await sign()}` },
    )
    expect(authorized).toMatchObject({ status: 200, body: { data: { me: { id: 'alice' } } } })
  })
})

describe('subscriptions over SSE', () => {
  it('streams to an authenticated subscriber', async () => {
    const { http } = await listen()
    const { status, events } = await sse(http, 'subscription { ticks }', {
      authorization: `Bearer ${await sign()}`,
    })
    expect(status).toBe(200)
    expect(events).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }, { data: { ticks: 3 } }])
  })

  it('refuses an anonymous subscriber before the stream starts', async () => {
    const { http } = await listen()
    const { status, events } = await sse(http, 'subscription { ticks }')
    expect(status).toBe(401)
    expect(events).toEqual([
      expect.objectContaining({ errors: [expect.objectContaining({ path: ['ticks'] })] }),
    ])
    expect(reasonOf(events[0])).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'token_missing' })
  })

  it('ends the stream with token_expired when the token expires', async () => {
    const { token, now } = await expiringSoon()
    const { http } = await listen({ now })
    const { events } = await sse(http, 'subscription { ticks(count: 500, every: 10) }', {
      authorization: `Bearer ${token}`,
    })
    expect(reasonOf(events.at(-1))).toEqual({ code: 'UNAUTHENTICATED', reason: 'token_expired' })
    expect(events.length).toBeGreaterThan(1)
    expect(events.length).toBeLessThan(200)
  })

  it('ends the stream at expiry on the verifier clock when the plugin is given none', async () => {
    const { token, now } = await expiringSoon()
    const { http } = await listen({ auth: createAuth({ issuer, audience, secret, now }) })
    const { events } = await sse(http, 'subscription { ticks(count: 500, every: 10) }', {
      authorization: `Bearer ${token}`,
    })
    expect(reasonOf(events.at(-1))).toEqual({ code: 'UNAUTHENTICATED', reason: 'token_expired' })
    expect(events.length).toBeLessThan(200)
  })

  it('ends the stream with revoked at the next event once the session is revoked', async () => {
    const setup = createSessionAuth()
    const { http } = await listen({ auth: setup.auth, now: setup.clock.now })
    const { cookie, sessionId } = await setup.signIn()
    const { status, events } = await sse(
      http,
      'subscription { ticks(count: 500, every: 5) }',
      { cookie },
      async (events) => {
        if (events.length === 2) await setup.sessions.revoke(sessionId)
      },
    )
    expect(status).toBe(200)
    expect(events.slice(0, 2)).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }])
    expect(reasonOf(events.at(-1))).toEqual({ code: 'UNAUTHENTICATED', reason: 'revoked' })
    expect(events.length).toBeLessThan(50)
    await vi.waitFor(() => expect(streams.open).toBe(0))
  })

  it('ends an idle stream within subscriptionRecheck once the session is revoked', async () => {
    const setup = createSessionAuth()
    const { http } = await listen({ auth: setup.auth, now: setup.clock.now, subscriptionRecheck: '20ms' })
    const { cookie, sessionId } = await setup.signIn()
    const stream = sse(http, 'subscription { idle }', { cookie })
    await vi.waitFor(() => expect(streams.open).toBe(1))
    // A few checks pass while the session lives: the stream stays open without events.
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(streams.open).toBe(1)
    await setup.sessions.revoke(sessionId)
    const { status, events } = await stream
    expect(status).toBe(200)
    expect(events).toHaveLength(1)
    expect(reasonOf(events[0])).toEqual({ code: 'UNAUTHENTICATED', reason: 'revoked' })
    await vi.waitFor(() => expect(streams.open).toBe(0))
  })
})

describe('subscriptions over graphql-ws', () => {
  it('authenticates with connectionParams', async () => {
    const { ws: url } = await listen()
    const results = await ws(url, 'subscription { ticks(count: 2) }', {
      connectionParams: { authorization: `Bearer ${await sign()}` },
    })
    expect(results).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }])
  })

  it('refuses a subscription without credentials, and one with a forged token', async () => {
    const { ws: url } = await listen()
    const anonymous = await ws(url, 'subscription { ticks }')
    expect(anonymous).toHaveLength(1)
    expect(reasonOf(anonymous[0])).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'token_missing' })
    const forged = await ws(url, 'subscription { ticks }', {
      connectionParams: { authorization: `Bearer ${(await sign()).slice(0, -4)}AAAA` },
    })
    expect(reasonOf(forged[0])).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'signature_invalid' })
  })

  it('ends the subscription when the token expires', async () => {
    const { token, now } = await expiringSoon()
    const { ws: url } = await listen({ now })
    const results = await ws(url, 'subscription { ticks(count: 500, every: 10) }', {
      connectionParams: { authorization: `Bearer ${token}` },
    })
    expect(reasonOf(results.at(-1))).toEqual({ code: 'UNAUTHENTICATED', reason: 'token_expired' })
    expect(results.length).toBeGreaterThan(1)
    expect(results.length).toBeLessThan(200)
    await vi.waitFor(() => expect(streams.open).toBe(0))
  })

  it('ends the subscription with revoked at the next event once the session is revoked', async () => {
    const setup = createSessionAuth()
    const { ws: url } = await listen({ auth: setup.auth, now: setup.clock.now })
    const { cookie, sessionId } = await setup.signIn()
    const results = await ws(url, 'subscription { ticks(count: 500, every: 5) }', {
      connectionParams: { cookie },
      async onResult(results) {
        if (results.length === 2) await setup.sessions.revoke(sessionId)
      },
    })
    expect(results.slice(0, 2)).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }])
    expect(reasonOf(results.at(-1))).toEqual({ code: 'UNAUTHENTICATED', reason: 'revoked' })
    expect(results.length).toBeLessThan(50)
    await vi.waitFor(() => expect(streams.open).toBe(0))
  })

  it('ends an idle subscription within subscriptionRecheck once the session is revoked', async () => {
    const setup = createSessionAuth()
    const { ws: url } = await listen({ auth: setup.auth, now: setup.clock.now, subscriptionRecheck: '20ms' })
    const { cookie, sessionId } = await setup.signIn()
    // The session cookie on the upgrade request, as a browser sends it.
    const subscription = ws(url, 'subscription { idle }', { cookie })
    await vi.waitFor(() => expect(streams.open).toBe(1))
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(streams.open).toBe(1)
    await setup.sessions.revoke(sessionId)
    const results = await subscription
    expect(results).toHaveLength(1)
    expect(reasonOf(results[0])).toEqual({ code: 'UNAUTHENTICATED', reason: 'revoked' })
    await vi.waitFor(() => expect(streams.open).toBe(0))
  })
})

/** A source that sends nothing until it is returned. */
function silent(): AsyncIterableIterator<ExecutionResult> {
  let close!: (result: IteratorResult<ExecutionResult>) => void
  const closed = new Promise<IteratorResult<ExecutionResult>>((resolve) => {
    close = resolve
  })
  return {
    next: () => closed,
    async return() {
      close({ done: true, value: undefined })
      return { done: true, value: undefined }
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}

describe('guardStream', () => {
  async function* once() {
    yield { data: { n: 1 } }
  }
  const guard = () => ({
    expiresAt: new Date(Date.now() + 3_600_000),
    now: Date.now,
    recheck: async (): Promise<AuthError | undefined> => undefined,
    recheckEvery: 1000,
  })

  it('clears its timers when the source completes, when the client leaves, and at expiry', async () => {
    vi.useFakeTimers()
    onTestFinished(() => {
      vi.useRealTimers()
    })
    const completed = guardStream(once(), guard())
    expect(vi.getTimerCount()).toBe(2)
    expect(await completed.next()).toEqual({ done: false, value: { data: { n: 1 } } })
    expect(await completed.next()).toEqual({ done: true, value: undefined })
    expect(vi.getTimerCount()).toBe(0)

    const left = guardStream(silent(), guard())
    await left.return?.()
    expect(vi.getTimerCount()).toBe(0)

    // Expired with nobody reading: the checks stop at once, the last event waits for the reader.
    const expired = guardStream(silent(), { ...guard(), expiresAt: new Date(Date.now() + 500) })
    await vi.advanceTimersByTimeAsync(500)
    expect(vi.getTimerCount()).toBe(0)
    const last = await expired.next()
    expect(last.value.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'token_expired' })
  })

  it('checks an idle stream every recheckEvery, and ends it with the first failure', async () => {
    vi.useFakeTimers()
    onTestFinished(() => {
      vi.useRealTimers()
    })
    let checks = 0
    let failure: AuthError | undefined
    const stream = guardStream(silent(), {
      ...guard(),
      recheck: async () => {
        checks++
        return failure
      },
    })
    const pending = stream.next()
    await vi.advanceTimersByTimeAsync(3000)
    expect(checks).toBe(3)
    failure = new AuthError('revoked', 'session has been revoked')
    await vi.advanceTimersByTimeAsync(1000)
    const last = await pending
    expect(last.done).toBe(false)
    expect(last.value.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'revoked' })
    expect(vi.getTimerCount()).toBe(0)
    expect(await stream.next()).toEqual({ done: true, value: undefined })
  })

  it('rethrows an unexpected fault of an idle check, and stops', async () => {
    vi.useFakeTimers()
    onTestFinished(() => {
      vi.useRealTimers()
    })
    const stream = guardStream(silent(), {
      ...guard(),
      recheck: () => Promise.reject(new Error('store exploded')),
    })
    const pending = stream.next()
    const settled = expect(pending).rejects.toThrow('store exploded')
    await vi.advanceTimersByTimeAsync(1000)
    await settled
    expect(vi.getTimerCount()).toBe(0)
  })
})
