import { type AuthEvent, createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { viaBoth } from '../support/both.js'
import { audience, claims, forge, issuer, secret } from '../support/fixtures.js'
import { cookieHeader, testSessions } from '../support/sessions.js'

// Issue 11: with a session cookie and an Authorization header, the cookie won and the header was
// never read: a valid cookie for one user beside a bearer for another authenticated the cookie's
// user, and a forged bearer beside a valid cookie passed unseen. Now every source is read; the
// credentials must all verify and name the same subject and issuer.
const alice = forge({ alg: 'HS256' }, claims())
const aliceAgain = forge({ alg: 'HS256' }, claims(Date.now(), { jti: 'second' }))
const mallory = forge({ alg: 'HS256' }, claims(Date.now(), { sub: 'mallory' }))
const unsigned = forge({ alg: 'none' }, claims(), { signature: '' })
const wrongKey = forge({ alg: 'HS256' }, claims(), { hmacKey: 'another-secret-that-is-at-least-32-bytes' })
const cookie = (token: string): [string, string] => ['cookie', `__session=${token}`]
const bearer = (token: string): [string, string] => ['authorization', `Bearer ${token}`]

describe('issue 11: every credential is read, and they must agree', () => {
  const auth = createAuth({ issuer, audience, secret })

  it('rejects a cookie for one user beside a bearer token for another as token_ambiguous 400', async () => {
    const { node, fetch } = await viaBoth(auth, [cookie(alice), bearer(mallory)])
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({
        status: 'rejected',
        code: 'token_ambiguous',
        httpStatus: 400,
        challenge: expect.stringContaining('error="invalid_request"'),
      })
  })

  it.each([
    ['an unsigned (alg none) bearer', unsigned, 'algorithm_not_allowed'],
    ['a bearer signed with another key', wrongKey, 'signature_invalid'],
    ['a garbage bearer', 'not.a.jwt', 'token_malformed'],
  ])('rejects %s beside a valid cookie, with its own code', async (_name, token, code) => {
    const { node, fetch } = await viaBoth(auth, [cookie(alice), bearer(token)])
    for (const outcome of [node, fetch]) expect(outcome).toMatchObject({ status: 'rejected', code })
  })

  it('rejects a garbage cookie beside a valid bearer', async () => {
    const { node, fetch } = await viaBoth(auth, [cookie('garbage'), bearer(alice)])
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({ status: 'rejected', code: 'token_malformed', httpStatus: 401 })
  })

  it('accepts the same token in both places, and two tokens of the same subject (the cookie first)', async () => {
    for (const headers of [
      [cookie(alice), bearer(alice)],
      [cookie(alice), bearer(aliceAgain)],
    ]) {
      const { node, fetch } = await viaBoth(auth, headers)
      for (const outcome of [node, fetch])
        expect(outcome).toEqual({ status: 'authenticated', subject: 'alice', source: 'cookie' })
    }
  })

  it('answers the same on the synchronous path once both tokens are cached', async () => {
    const request = new Request('http://x/', { headers: [cookie(alice), bearer(mallory)] })
    await auth.verify(alice)
    await auth.verify(mallory)
    expect(auth.authenticateSync(request)).toBeUndefined()
    expect(await auth.authenticate(request)).toMatchObject({
      status: 'rejected',
      error: { code: 'token_ambiguous' },
    })
  })

  it('reports the disagreement as a rejected event', async () => {
    const events: AuthEvent[] = []
    const watched = createAuth({ issuer, audience, secret, onEvent: (event) => events.push(event) })
    await watched.authenticate(new Request('http://x/', { headers: [cookie(alice), bearer(mallory)] }))
    expect(events.filter((event) => event.type === 'rejected')).toEqual([
      expect.objectContaining({ code: 'token_ambiguous', source: 'bearer' }),
    ])
  })

  it('restores first-wins only with firstSourceWins: true', async () => {
    const firstWins = createAuth({ issuer, audience, secret, firstSourceWins: true })
    const { node, fetch } = await viaBoth(firstWins, [cookie(alice), bearer(mallory)])
    for (const outcome of [node, fetch])
      expect(outcome).toEqual({ status: 'authenticated', subject: 'alice', source: 'cookie' })
    expect(() => createAuth({ issuer, audience, secret, firstSourceWins: 'yes' as never })).toThrow(
      new TypeError('"firstSourceWins" must be a boolean'),
    )
  })
})

describe('issue 11: a session cookie and a bearer token must agree too', () => {
  it('rejects a session for alice beside a bearer token for mallory', async () => {
    const { sessions } = testSessions({ now: Date.now })
    const auth = createAuth({ sessions, issuers: [{ issuer, audience, secret }] })
    const { setCookie } = await sessions.issue({ subject: 'alice' })
    const { node, fetch } = await viaBoth(auth, [['cookie', cookieHeader(setCookie)], bearer(mallory)])
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({ status: 'rejected', code: 'token_ambiguous', httpStatus: 400 })
  })

  it('refreshes after the other credentials checked out, and keeps the rotated cookies on a disagreement', async () => {
    let now = Date.now()
    const { sessions } = testSessions({ now: () => now })
    const auth = createAuth({ sessions, issuers: [{ issuer, audience, secret }] })
    const issued = await sessions.issue({ subject: 'alice' })
    const refreshOnly = issued.setCookie.filter((line) => line.startsWith(`${sessions.refreshCookieName}=`))
    // A forged bearer: rejected before the refresh cookie is spent.
    const forged = await auth.authenticate(
      new Request('http://x/', { headers: [['cookie', cookieHeader(refreshOnly)], bearer(unsigned)] }),
    )
    expect(forged).toMatchObject({ status: 'rejected', error: { code: 'algorithm_not_allowed' } })
    expect(forged.setCookie).toBeUndefined()
    // Past the refresh grace: had the forged request spent the refresh token, this would be refresh_reused.
    now += 20_000
    const other = await auth.authenticate(
      new Request('http://x/', { headers: [['cookie', cookieHeader(refreshOnly)], bearer(mallory)] }),
    )
    expect(other).toMatchObject({ status: 'rejected', error: { code: 'token_ambiguous', status: 400 } })
    // The refresh token rotated on the way: the browser gets the new one, so its session survives.
    expect(other.setCookie?.length).toBe(2)
    const next = await auth.authenticate({ cookie: cookieHeader(other.setCookie!) })
    expect(next).toMatchObject({ status: 'authenticated', identity: { subject: 'alice', source: 'session' } })
  })
})
