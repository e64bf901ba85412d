import {
  type AuthError,
  type AuthResult,
  createAuth,
  createSessions,
  type Identity,
  memoryStore,
  type Store,
} from '@portcullis/core'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { cookieHeader, manualClock, withCookies } from '../support/sessions.js'

const issuer = 'https://api.example.com'
const audience = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'

function setup(options: Partial<Parameters<typeof createSessions>[0]> = {}) {
  const clock = manualClock()
  const sessions = createSessions({ secret, issuer, audience, now: clock.now, ...options } as Parameters<
    typeof createSessions
  >[0])
  const auth = createAuth({ sessions })
  return { clock, sessions, auth }
}

const rejection = (result: AuthResult): AuthError | undefined =>
  result.status === 'rejected' ? result.error : undefined

describe('issuing and verifying', () => {
  it('issues a session that createAuth verifies from its cookie, with scopes, roles and claims', async () => {
    const { sessions, auth } = setup()
    const issued = await sessions.issue({
      subject: 'alice',
      scopes: ['read:reports'],
      roles: ['admin'],
      claims: { tenant: 'acme' },
    })
    const result = await auth.authenticate(withCookies(issued.setCookie))
    expect(result).toMatchObject({
      status: 'authenticated',
      identity: {
        subject: 'alice',
        issuer,
        scopes: ['read:reports'],
        roles: ['admin'],
        sessionId: issued.sessionId,
        source: 'session',
        claims: { tenant: 'acme' },
      },
    })
    expect(result).not.toHaveProperty('setCookie')
    if (result.status === 'authenticated') expectTypeOf(result.identity).toEqualTypeOf<Identity>()
  })

  it('types identity.claims from a claims schema and rejects a session that does not match it', async () => {
    const { sessions } = setup()
    const auth = createAuth({ sessions, claims: z.object({ tenant: z.string() }) })
    const good = await sessions.issue({ subject: 'alice', claims: { tenant: 'acme' } })
    const identity = await auth.verify(good.accessToken)
    expectTypeOf(identity.claims).toEqualTypeOf<{ tenant: string }>()
    expect(identity.claims).toEqual({ tenant: 'acme' })
    const bad = await sessions.issue({ subject: 'bob' })
    await expect(auth.verify(bad.accessToken)).rejects.toMatchObject({ code: 'claim_invalid', status: 401 })
  })

  it('verifies the access token as a bearer token too', async () => {
    const { sessions, auth } = setup()
    const { accessToken } = await sessions.issue({ subject: 'alice' })
    const result = await auth.authenticate({ authorization: `Bearer ${accessToken}` })
    expect(result).toMatchObject({
      status: 'authenticated',
      identity: { subject: 'alice', source: 'bearer' },
    })
  })

  it('refuses claims that would overwrite what sessions set, or not fit in a cookie', async () => {
    const { sessions } = setup()
    await expect(sessions.issue({ subject: 'alice', claims: { exp: 1 } })).rejects.toThrow(
      new TypeError('"claims" must not set "exp": sessions set it themselves'),
    )
    await expect(sessions.issue({ subject: 'alice', claims: { blob: 'x'.repeat(4000) } })).rejects.toThrow(
      new TypeError('"claims" make the access token too large for a cookie (4 KB): keep them small'),
    )
    await expect(sessions.issue({ subject: '' })).rejects.toThrow(
      new TypeError('"subject" must be a non-empty string'),
    )
  })

  it('verifies sessions beside an external issuer', async () => {
    const { sessions, clock } = setup()
    const external = createSessions({
      secret: 'y'.repeat(32),
      issuer: 'https://id.example.com',
      audience,
      now: clock.now,
    })
    const auth = createAuth({
      sessions,
      issuers: [{ issuer: 'https://id.example.com', audience, secret: 'y'.repeat(32) }],
      now: clock.now,
    })
    const own = await sessions.issue({ subject: 'alice' })
    const theirs = await external.issue({ subject: 'bob' })
    expect(await auth.verify(own.accessToken)).toMatchObject({ subject: 'alice', issuer })
    // An external token carries its own "sid", which this service's store does not know: not a session.
    expect(await auth.verify(theirs.accessToken)).toMatchObject({
      subject: 'bob',
      issuer: 'https://id.example.com',
    })
  })

  it('refuses an external issuer with the same name as the sessions', () => {
    const { sessions } = setup()
    expect(() => createAuth({ sessions, issuer, audience, secret })).toThrow(
      new TypeError(`issuer "${issuer}" is configured twice (once by "sessions")`),
    )
    expect(() => createAuth({ sessions: {} as never })).toThrow(
      new TypeError('"sessions" must be the object createSessions() returns'),
    )
  })
})

describe('revocation', () => {
  it('rejects a revoked session on the next request, though its token is cached', async () => {
    const { sessions, auth } = setup()
    const issued = await sessions.issue({ subject: 'alice' })
    const request = withCookies(issued.setCookie)
    expect((await auth.authenticate(request)).status).toBe('authenticated')
    expect((await auth.authenticate(request)).status).toBe('authenticated') // now cached
    await sessions.revoke(issued.sessionId)
    const result = await auth.authenticate(request)
    expect(rejection(result)).toMatchObject({ code: 'revoked', status: 401 })
    // Every cookie the session set is cleared, so the browser stops sending them.
    expect(result.setCookie).toEqual([
      '__Host-session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; Secure; SameSite=Lax',
      '__Host-session-refresh=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; Secure; SameSite=Lax',
    ])
    await expect(auth.verify(issued.accessToken)).rejects.toMatchObject({ code: 'revoked', status: 401 })
    await expect(sessions.refresh(issued.refreshToken)).rejects.toMatchObject({
      code: 'revoked',
      status: 401,
    })
  })

  it('revokes every session of a subject and no one else', async () => {
    const { sessions, auth } = setup()
    const laptop = await sessions.issue({ subject: 'alice' })
    const phone = await sessions.issue({ subject: 'alice' })
    const bob = await sessions.issue({ subject: 'bob' })
    await sessions.revokeSubject('alice')
    await expect(auth.verify(laptop.accessToken)).rejects.toMatchObject({ code: 'revoked' })
    await expect(auth.verify(phone.accessToken)).rejects.toMatchObject({ code: 'revoked' })
    await expect(sessions.refresh(phone.refreshToken)).rejects.toMatchObject({ code: 'revoked' })
    expect(await auth.verify(bob.accessToken)).toMatchObject({ subject: 'bob' })
    // A new sign-in after the revocation works.
    const again = await sessions.issue({ subject: 'alice' })
    expect(await auth.verify(again.accessToken)).toMatchObject({ subject: 'alice' })
  })

  it('ends the oldest session past maxSessionsPerSubject', async () => {
    const { sessions, auth } = setup({ maxSessionsPerSubject: 2 })
    const first = await sessions.issue({ subject: 'alice' })
    const second = await sessions.issue({ subject: 'alice' })
    const third = await sessions.issue({ subject: 'alice' })
    await expect(auth.verify(first.accessToken)).rejects.toMatchObject({ code: 'revoked' })
    expect(await auth.verify(second.accessToken)).toMatchObject({ subject: 'alice' })
    expect(await auth.verify(third.accessToken)).toMatchObject({ subject: 'alice' })
  })

  it('does not count sessions that already ended against maxSessionsPerSubject', async () => {
    const { sessions, auth } = setup({ maxSessionsPerSubject: 2 })
    const laptop = await sessions.issue({ subject: 'alice' })
    for (let i = 0; i < 3; i++) {
      const phone = await sessions.issue({ subject: 'alice' })
      await sessions.revoke(phone.sessionId)
    }
    await sessions.issue({ subject: 'alice' })
    expect(await auth.verify(laptop.accessToken)).toMatchObject({ subject: 'alice' })
  })
})

describe('refresh rotation', () => {
  it('trades a refresh token for a new pair, and treats a second use after the grace window as theft', async () => {
    const { sessions, auth, clock } = setup({ refreshGrace: '10s' })
    const issued = await sessions.issue({ subject: 'alice', scopes: ['read:reports'] })
    clock.advance(60_000)
    const refreshed = await sessions.refresh(withCookies(issued.setCookie))
    expect(refreshed.sessionId).toBe(issued.sessionId)
    expect(refreshed.refreshToken).not.toBe(issued.refreshToken)
    expect(await auth.verify(refreshed.accessToken)).toMatchObject({ scopes: ['read:reports'] })
    clock.advance(10_001)
    await expect(sessions.refresh(issued.refreshToken)).rejects.toMatchObject({
      code: 'refresh_reused',
      status: 401,
    })
    // The whole family is gone: the thief's and the user's tokens alike.
    await expect(auth.verify(refreshed.accessToken)).rejects.toMatchObject({ code: 'revoked' })
    await expect(sessions.refresh(refreshed.refreshToken)).rejects.toMatchObject({ code: 'revoked' })
  })

  it('gives two tabs refreshing at once the same new refresh token within the grace window', async () => {
    const { sessions, clock } = setup({ refreshGrace: '10s' })
    const issued = await sessions.issue({ subject: 'alice' })
    const [a, b] = await Promise.all([
      sessions.refresh(issued.refreshToken),
      sessions.refresh(issued.refreshToken),
    ])
    expect(a.refreshToken).toBe(b.refreshToken)
    clock.advance(9_000)
    const late = await sessions.refresh(issued.refreshToken)
    expect(late.refreshToken).toBe(a.refreshToken)
    // And the new token goes on working.
    expect((await sessions.refresh(a.refreshToken)).sessionId).toBe(issued.sessionId)
  })

  it('lets exactly one of 50 concurrent refreshes win without a grace window', async () => {
    const { sessions } = setup({ refreshGrace: 0 })
    const issued = await sessions.issue({ subject: 'alice' })
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => sessions.refresh(issued.refreshToken)),
    )
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
    const codes = results.flatMap((result) => (result.status === 'rejected' ? [result.reason.code] : []))
    // The first loser to see the rotated record ends the session (reuse); any loser reading after
    // that finds no session at all. Which of them comes when depends on WebCrypto's scheduling.
    expect(codes).toContain('refresh_reused')
    expect(codes.filter((code) => code !== 'refresh_reused' && code !== 'revoked')).toEqual([])
  })

  it('keeps the refresh token when rotateRefresh is false', async () => {
    const { sessions } = setup({ rotateRefresh: false })
    const issued = await sessions.issue({ subject: 'alice' })
    const first = await sessions.refresh(issued.refreshToken)
    const second = await sessions.refresh(issued.refreshToken)
    expect(first.refreshToken).toBe(issued.refreshToken)
    expect(second.refreshToken).toBe(issued.refreshToken)
  })

  it('rejects a missing, malformed or forged refresh token without touching the session', async () => {
    const { sessions, auth } = setup()
    const issued = await sessions.issue({ subject: 'alice' })
    await expect(sessions.refresh({})).rejects.toMatchObject({ code: 'token_missing', status: 401 })
    await expect(sessions.refresh('not-a-token')).rejects.toMatchObject({ code: 'token_malformed' })
    const forged = `${issued.sessionId}.${'A'.repeat(43)}`
    await expect(sessions.refresh(forged)).rejects.toMatchObject({ code: 'revoked', status: 401 })
    expect(await auth.verify(issued.accessToken)).toMatchObject({ subject: 'alice' })
  })
})

describe('transparent refresh in authenticate', () => {
  it('refreshes an expired access cookie from the refresh cookie and returns the new cookies', async () => {
    const { sessions, auth, clock } = setup({ accessTtl: '5m', clockTolerance: 0 })
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(5 * 60_000)
    const result = await auth.authenticate(withCookies(issued.setCookie))
    expect(result).toMatchObject({
      status: 'authenticated',
      identity: { subject: 'alice', source: 'session' },
    })
    expect(result.setCookie).toHaveLength(2)
    expect(result.setCookie![0]).toMatch(/^__Host-session=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=300; /)
    expect(result.setCookie![1]).toMatch(/^__Host-session-refresh=/)
    // The browser now holds the new pair, which works without another refresh.
    const next = await auth.authenticate({ cookie: cookieHeader(result.setCookie!) })
    expect(next.status).toBe('authenticated')
    expect(next.setCookie).toBeUndefined()
  })

  it('refreshes when the browser already dropped the access cookie', async () => {
    const { sessions, auth } = setup()
    const issued = await sessions.issue({ subject: 'alice' })
    const onlyRefresh = { cookie: `${sessions.refreshCookieName}=${issued.refreshToken}` }
    const result = await auth.authenticate(onlyRefresh)
    expect(result).toMatchObject({ status: 'authenticated', identity: { subject: 'alice' } })
    expect(result.setCookie).toHaveLength(2)
  })

  it('rejects an expired access cookie with no refresh cookie as token_expired', async () => {
    const { sessions, auth, clock } = setup({ clockTolerance: 0 })
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(5 * 60_000)
    const result = await auth.authenticate({ cookie: `${sessions.cookieName}=${issued.accessToken}` })
    expect(rejection(result)).toMatchObject({ code: 'token_expired', status: 401 })
  })

  it('rejects a reused refresh cookie, clears the cookies, and revokes the family', async () => {
    const { sessions, auth, clock } = setup({ refreshGrace: 0, clockTolerance: 0 })
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(5 * 60_000)
    const first = await auth.authenticate(withCookies(issued.setCookie))
    expect(first.status).toBe('authenticated')
    const stolen = await auth.authenticate(withCookies(issued.setCookie))
    expect(rejection(stolen)).toMatchObject({ code: 'refresh_reused', status: 401 })
    expect(stolen.setCookie?.every((line) => line.includes('Max-Age=0'))).toBe(true)
    expect(rejection(await auth.authenticate({ cookie: cookieHeader(first.setCookie!) }))).toMatchObject({
      code: 'revoked',
    })
  })

  it('leaves requests without session cookies to the other sources', async () => {
    const { auth } = setup()
    expect(await auth.authenticate({})).toEqual({ status: 'anonymous' })
  })
})

describe('clock edges', () => {
  it('accepts an access token until its last millisecond and rejects it at exp', async () => {
    const { sessions, auth, clock } = setup({ accessTtl: 60, clockTolerance: 0 })
    const { accessToken } = await sessions.issue({ subject: 'alice' })
    clock.advance(59_999)
    expect(await auth.verify(accessToken)).toMatchObject({ subject: 'alice' })
    clock.advance(1)
    await expect(auth.verify(accessToken)).rejects.toMatchObject({ code: 'token_expired', status: 401 })
  })

  it('honours clockTolerance past exp', async () => {
    const { sessions, auth, clock } = setup({ accessTtl: 60, clockTolerance: '5s' })
    const { accessToken } = await sessions.issue({ subject: 'alice' })
    clock.advance(64_999)
    expect(await auth.verify(accessToken)).toMatchObject({ subject: 'alice' })
    clock.advance(1)
    await expect(auth.verify(accessToken)).rejects.toMatchObject({ code: 'token_expired' })
  })

  it('ends the session at refreshTtl, and never issues an access token past it', async () => {
    const { sessions, clock } = setup({ accessTtl: '5m', refreshTtl: '1h' })
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(60 * 60_000 - 60_000)
    const last = await sessions.refresh(issued.refreshToken)
    expect(last.expiresAt.getTime()).toBe(issued.refreshExpiresAt.getTime())
    clock.advance(60_000)
    await expect(sessions.refresh(last.refreshToken)).rejects.toMatchObject({
      code: 'token_expired',
      status: 401,
    })
  })
})

describe('secret rotation', () => {
  it('signs with the first secret and verifies with any, so old tokens work until they expire', async () => {
    const store = memoryStore()
    const clock = manualClock()
    const previous = 'p'.repeat(32)
    const current = 'c'.repeat(32)
    const before = createSessions({ secret: previous, issuer, audience, store, now: clock.now })
    const during = createSessions({ secret: [current, previous], issuer, audience, store, now: clock.now })
    const after = createSessions({ secret: current, issuer, audience, store, now: clock.now })
    const old = await before.issue({ subject: 'alice' })
    const fresh = await during.issue({ subject: 'alice' })
    const duringAuth = createAuth({ sessions: during })
    expect(await duringAuth.verify(old.accessToken)).toMatchObject({ subject: 'alice' })
    // The new token is signed with the current secret: the old configuration does not know it.
    await expect(createAuth({ sessions: before }).verify(fresh.accessToken)).rejects.toMatchObject({
      code: 'key_not_found',
    })
    // Once the previous secret is dropped, its tokens fail, and the refresh cookie recovers the session.
    const afterAuth = createAuth({ sessions: after })
    await expect(afterAuth.verify(old.accessToken)).rejects.toMatchObject({ code: 'key_not_found' })
    const recovered = await afterAuth.authenticate(withCookies(old.setCookie))
    expect(recovered).toMatchObject({ status: 'authenticated', identity: { subject: 'alice' } })
    expect(recovered.setCookie).toHaveLength(2)
  })
})

describe('store outages', () => {
  function flakyStore() {
    const inner = memoryStore()
    const state = { down: false }
    const fail = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379')
    }
    const store: Store = {
      get: (key) => (state.down ? fail() : inner.get(key)),
      set: (key, value, ttl) => (state.down ? fail() : inner.set(key, value, ttl)),
      delete: (key) => (state.down ? fail() : inner.delete(key)),
      compareAndSwap: (key, expected, value, ttl) =>
        state.down ? fail() : inner.compareAndSwap(key, expected, value, ttl),
    }
    return { store, state }
  }

  it('fails closed with a 503 store_unavailable and serves again when the store returns', async () => {
    const { store, state } = flakyStore()
    const { sessions, auth } = setup({ store })
    const issued = await sessions.issue({ subject: 'alice' })
    const request = withCookies(issued.setCookie)
    expect((await auth.authenticate(request)).status).toBe('authenticated')
    state.down = true
    const result = await auth.authenticate(request)
    const error = rejection(result)
    expect(error).toMatchObject({ code: 'store_unavailable', status: 503 })
    expect(error?.message).toBe('session store is unavailable')
    expect(error?.wwwAuthenticate).toBe('Bearer')
    // Cookies stay: the session may well be fine.
    expect(result.setCookie).toBeUndefined()
    await expect(sessions.issue({ subject: 'bob' })).rejects.toMatchObject({ code: 'store_unavailable' })
    await expect(sessions.refresh(issued.refreshToken)).rejects.toMatchObject({ code: 'store_unavailable' })
    await expect(sessions.revoke(issued.sessionId)).rejects.toMatchObject({ code: 'store_unavailable' })
    await expect(sessions.logout(request)).rejects.toMatchObject({ code: 'store_unavailable' })
    state.down = false
    expect((await auth.authenticate(request)).status).toBe('authenticated')
  })

  it("accepts verified access tokens without the revocation check with onStoreError: 'allow'", async () => {
    const { store, state } = flakyStore()
    const { sessions, auth } = setup({ store, onStoreError: 'allow' })
    const issued = await sessions.issue({ subject: 'alice' })
    state.down = true
    expect(await auth.authenticate(withCookies(issued.setCookie))).toMatchObject({ status: 'authenticated' })
    await expect(sessions.refresh(issued.refreshToken)).rejects.toMatchObject({ code: 'store_unavailable' })
  })
})

describe('logout', () => {
  it('revokes the session and clears every cookie it set', async () => {
    const { sessions, auth } = setup()
    const issued = await sessions.issue({ subject: 'alice' })
    const { setCookie, sessionId } = await sessions.logout(withCookies(issued.setCookie))
    expect(sessionId).toBe(issued.sessionId)
    const names = issued.setCookie.map((line) => line.slice(0, line.indexOf('=')))
    expect(setCookie.map((line) => line.slice(0, line.indexOf('=')))).toEqual(names)
    for (const line of setCookie)
      expect(line).toMatch(/=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=\/;/)
    await expect(auth.verify(issued.accessToken)).rejects.toMatchObject({ code: 'revoked' })
  })

  it('revokes by the access cookie alone, even an expired one', async () => {
    const { sessions, auth, clock } = setup()
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(60 * 60_000)
    const { sessionId } = await sessions.logout({ cookie: `${sessions.cookieName}=${issued.accessToken}` })
    expect(sessionId).toBe(issued.sessionId)
    await expect(sessions.refresh(issued.refreshToken)).rejects.toMatchObject({ code: 'revoked' })
    expect(auth).toBeDefined()
  })

  it('clears cookies without revoking anything when the request proves no session', async () => {
    const { sessions, auth } = setup()
    const issued = await sessions.issue({ subject: 'alice' })
    const forged = `${issued.sessionId}.${'A'.repeat(43)}`
    const result = await sessions.logout({ cookie: `${sessions.refreshCookieName}=${forged}` })
    expect(result.sessionId).toBeUndefined()
    expect(result.setCookie).toHaveLength(2)
    expect(await auth.verify(issued.accessToken)).toMatchObject({ subject: 'alice' })
  })

  it('revokes nothing for an access cookie whose signature does not check out', async () => {
    const { sessions, auth } = setup()
    const issued = await sessions.issue({ subject: 'alice' })
    const [head, body, signature] = issued.accessToken.split('.') as [string, string, string]
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`
    for (const token of [`${head}.${body}.${flipped}`, `${head}.${body}.${signature.slice(0, -2)}`]) {
      const result = await sessions.logout({ cookie: `${sessions.cookieName}=${token}` })
      expect(result.sessionId).toBeUndefined()
    }
    expect(await auth.verify(issued.accessToken)).toMatchObject({ subject: 'alice' })
  })
})

describe('options', () => {
  it('names the option in every mistake', () => {
    const base = { issuer, audience }
    expect(() => createSessions({ ...base, secret: 'short' })).toThrow(
      new TypeError('"secret" must be at least 32 bytes'),
    )
    expect(() => createSessions({ ...base, secret: [secret, 'short'] })).toThrow(
      new TypeError('"secret[1]" must be at least 32 bytes'),
    )
    expect(() => createSessions(base as never)).toThrow(
      new TypeError('createSessions() needs "secret" (at least 32 bytes) or "signingKey"'),
    )
    expect(() => createSessions({ ...base, secret, accessTtl: '1h', refreshTtl: '5m' })).toThrow(
      new TypeError('"refreshTtl" must be at least "accessTtl"'),
    )
    expect(() => createSessions({ ...base, secret, store: {} as never })).toThrow(
      new TypeError('"store" must implement get, set, delete and compareAndSwap (missing get)'),
    )
    expect(() => createSessions({ ...base, secret, onStoreError: 'ignore' as never })).toThrow(
      new TypeError('"onStoreError" must be "reject" or "allow"'),
    )
    expect(() => createSessions({ secret, issuer: '', audience })).toThrow(
      new TypeError('"issuer" must be a non-empty string'),
    )
  })
})
