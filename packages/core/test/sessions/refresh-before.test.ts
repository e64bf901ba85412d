import { createAuth, createSessions, memoryStore, type SessionsOptions, type Store } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { cookieHeader, manualClock, withCookies } from '../support/sessions.js'

const base = {
  secret: 'a-session-secret-of-at-least-32-bytes',
  issuer: 'https://api.example.com',
  audience: 'https://api.example.com',
  accessTtl: '5m',
} as const

/** Sessions on a memory store that counts rotations, on a manual clock. */
function setup(options: Partial<SessionsOptions> = {}) {
  const clock = manualClock()
  const inner = memoryStore({ now: clock.now })
  let writes = 0
  let failWrites = false
  const store: Store = {
    ...inner,
    getWithTtl: inner.getWithTtl,
    async compareAndSwap(...args) {
      if (args[0].startsWith('s:')) writes++ // rotations, not the subject index
      if (failWrites) throw new Error('connection reset')
      return inner.compareAndSwap(...args)
    },
  }
  const sessions = createSessions({ ...base, store, now: clock.now, ...options } as SessionsOptions)
  const auth = createAuth({ sessions })
  return {
    clock,
    sessions,
    auth,
    writes: () => writes,
    failWrites: () => {
      failWrites = true
    },
  }
}

describe('refreshBefore (proactive refresh)', () => {
  it('is off by default: a token a few seconds from expiry is accepted as it is', async () => {
    const { sessions, auth, clock, writes } = setup()
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(5 * 60_000 - 5_000)
    const result = await auth.authenticate(withCookies(issued.setCookie))
    expect(result).toMatchObject({ status: 'authenticated' })
    expect(result.setCookie).toBeUndefined()
    expect(writes()).toBe(0)
  })

  it('trades a token within the window for a new one, and leaves earlier ones alone', async () => {
    const { sessions, auth, clock, writes } = setup({ refreshBefore: '60s' })
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(3 * 60_000)
    const early = await auth.authenticate(withCookies(issued.setCookie))
    expect(early.setCookie).toBeUndefined()
    expect(writes()).toBe(0)
    clock.advance(70_000) // 50 s left
    const result = await auth.authenticate(withCookies(issued.setCookie))
    expect(result).toMatchObject({ status: 'authenticated', identity: { subject: 'alice' } })
    expect(result.setCookie).toHaveLength(2)
    if (result.status !== 'authenticated') throw new Error('not authenticated')
    expect(result.identity.expiresAt!.getTime()).toBe(Math.floor((clock.now() + 5 * 60_000) / 1000) * 1000)
    expect(writes()).toBe(1)
    // The browser now holds a fresh token: nothing more to do.
    const next = await auth.authenticate({ cookie: cookieHeader(result.setCookie!) })
    expect(next).toMatchObject({ status: 'authenticated' })
    expect(next.setCookie).toBeUndefined()
  })

  it('gives requests in flight with the old cookies the same new refresh token, without reuse', async () => {
    const { sessions, auth, clock } = setup({ refreshBefore: '60s' })
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(4 * 60_000 + 30_000)
    const results = await Promise.all(
      Array.from({ length: 5 }, () => auth.authenticate(withCookies(issued.setCookie))),
    )
    for (const result of results) expect(result.status).toBe('authenticated')
    const refreshCookies = new Set(results.map((result) => result.setCookie?.[1]?.split(';')[0]))
    expect(refreshCookies.size).toBe(1)
  })

  it('keeps the still-valid token when the store cannot take the rotation: no 503', async () => {
    const { sessions, auth, clock, failWrites } = setup({ refreshBefore: '60s' })
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(4 * 60_000 + 30_000)
    failWrites()
    const result = await auth.authenticate(withCookies(issued.setCookie))
    expect(result).toMatchObject({ status: 'authenticated', identity: { subject: 'alice' } })
    expect(result.setCookie).toBeUndefined()
  })

  it('does not rotate when the session ends with the current token', async () => {
    const { sessions, auth, clock, writes } = setup({ refreshBefore: '60s', refreshTtl: '10m' })
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(5 * 60_000)
    const refreshed = await sessions.refresh(issued.refreshToken) // its access token ends with the session
    clock.advance(4 * 60_000 + 30_000)
    const before = writes()
    const result = await auth.authenticate(withCookies(refreshed.setCookie))
    expect(result).toMatchObject({ status: 'authenticated' })
    expect(result.setCookie).toBeUndefined()
    expect(writes()).toBe(before)
  })

  it('never refreshes where the response cannot carry cookies (refresh: false)', async () => {
    const { sessions, auth, clock, writes } = setup({ refreshBefore: '60s' })
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(4 * 60_000 + 30_000)
    const result = await auth.authenticate(withCookies(issued.setCookie), { refresh: false })
    expect(result).toMatchObject({ status: 'authenticated' })
    expect(writes()).toBe(0)
  })

  it('refuses a window as long as the access token, or one without a grace window', () => {
    expect(() => createSessions({ ...base, refreshBefore: '5m' })).toThrow(
      new TypeError('"refreshBefore" must be shorter than "accessTtl", or every request would refresh'),
    )
    expect(() => createSessions({ ...base, refreshBefore: '60s', refreshGrace: 0 })).toThrow(
      new TypeError('"refreshBefore" needs "refreshGrace" above 0 while "rotateRefresh" is on'),
    )
    expect(() =>
      createSessions({ ...base, refreshBefore: '60s', refreshGrace: 0, rotateRefresh: false }),
    ).not.toThrow()
  })
})
