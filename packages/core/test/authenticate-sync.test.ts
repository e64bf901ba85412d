import { AuthError, type AuthEvent, createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, clock, issuer, secret, sign } from './support/fixtures.js'
import { manualClock, testSessions, withCookies } from './support/sessions.js'

const bearer = (token: string) =>
  new Request('https://api.example.com/', { headers: { authorization: `Bearer ${token}` } })

function setup(options: { max?: number } = {}) {
  const time = clock()
  const events: AuthEvent[] = []
  const auth = createAuth({
    issuer,
    audience,
    secret,
    now: time.now,
    clockTolerance: 0,
    realm: 'api',
    cache: options.max === undefined ? undefined : { max: options.max },
    onEvent: (event) => events.push(event),
  })
  return { auth, time, events }
}

describe('authenticateSync: the answer of authenticate when nothing needs waiting for', () => {
  it('has nothing to say about a token it has not verified: authenticate must run', async () => {
    const { auth, events } = setup()
    expect(auth.authenticateSync(bearer(await sign(secret)))).toBeUndefined()
    // Not verifying is not rejecting: no event, no cache entry.
    expect(events).toEqual([])
  })

  it('answers a verified token like authenticate does, with the same identity and a cached event', async () => {
    const { auth, events } = setup()
    const token = await sign(secret)
    const first = await auth.authenticate(bearer(token))
    const known = auth.authenticateSync(bearer(token))
    expect(known).toEqual(first)
    expect(known?.status === 'authenticated' && known.identity).toBe(
      first.status === 'authenticated' && first.identity,
    )
    expect(events.map((event) => event.type === 'verified' && event.cached)).toEqual([false, true])
  })

  it('re-checks time on every answer: a cached token past exp is rejected, then forgotten', async () => {
    const { auth, time, events } = setup()
    const token = await sign(secret, { exp: Math.floor(time.now() / 1000) + 60 }, {}, time.now())
    await auth.authenticate(bearer(token))
    time.advance(60_000)
    const result = auth.authenticateSync(bearer(token))
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'token_expired', status: 401 } })
    expect(result?.status === 'rejected' && result.error.wwwAuthenticate).toContain('realm="api"')
    expect(events.at(-1)).toMatchObject({ type: 'rejected', code: 'token_expired', source: 'bearer' })
    // Dropped from the cache: the next call has to go through authenticate again.
    expect(auth.authenticateSync(bearer(token))).toBeUndefined()
  })

  it('answers a request without credentials as anonymous', () => {
    const { auth } = setup()
    expect(auth.authenticateSync(new Request('https://api.example.com/'))).toEqual({ status: 'anonymous' })
    expect(auth.authenticateSync({ authorization: 'Basic dXNlcjpwYXNz' })).toEqual({ status: 'anonymous' })
  })

  it('rejects malformed and ambiguous headers as authenticate does, without a signature check', async () => {
    const { auth } = setup()
    const token = await sign(secret)
    for (const request of [
      { authorization: 'Bearer not a token' },
      { authorization: [`Bearer ${token}`, `Bearer ${token}`] },
      { authorization: `Bearer ${token}, Bearer ${token}` },
    ]) {
      const expected = await auth.authenticate(request)
      expect(expected.status).toBe('rejected')
      expect(auth.authenticateSync(request)).toEqual(expected)
    }
  })

  it('is never answered from a stale entry once the cache has dropped it', async () => {
    const { auth } = setup({ max: 1 })
    const [one, two] = await Promise.all([sign(secret, { jti: '1' }), sign(secret, { jti: '2' })])
    await auth.authenticate(bearer(one))
    await auth.authenticate(bearer(two))
    expect(auth.authenticateSync(bearer(one))).toBeUndefined()
    expect(auth.authenticateSync(bearer(two))).toMatchObject({ status: 'authenticated' })
  })

  it('never answers for a copy whose authenticate was replaced: the replacement is the check', async () => {
    const { auth } = setup()
    const token = await sign(secret)
    let calls = 0
    const wrapped: typeof auth = {
      ...auth,
      async authenticate(request, options) {
        calls++
        const result = await auth.authenticate(request, options)
        return result.status === 'authenticated'
          ? { status: 'rejected', error: new AuthError('revoked', 'this subject is banned') }
          : result
      },
    }
    expect(await wrapped.authenticate(bearer(token))).toMatchObject({ status: 'rejected' })
    // Cached by the inner call, but only the original object may answer from the cache.
    expect(auth.authenticateSync(bearer(token))).toMatchObject({ status: 'authenticated' })
    expect(wrapped.authenticateSync(bearer(token))).toBeUndefined()
    expect(calls).toBe(1)
  })

  it('always waits for a session cookie: its revocation lives in the store', async () => {
    const { sessions } = testSessions(manualClock())
    const auth = createAuth({ sessions })
    const issued = await sessions.issue({ subject: 'alice' })
    const request = withCookies(issued.setCookie)
    expect(await auth.authenticate(request)).toMatchObject({ status: 'authenticated' })
    expect(auth.authenticateSync(request)).toBeUndefined()
    await sessions.revoke(issued.sessionId)
    expect(await auth.authenticate(request)).toMatchObject({ status: 'rejected', error: { code: 'revoked' } })
  })
})
