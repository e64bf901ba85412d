import { createSessions } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { manualClock } from '../support/sessions.js'

const base = {
  secret: 'a-session-secret-of-at-least-32-bytes',
  issuer: 'https://api.example.com',
  audience: 'api',
}

describe('session cookies', () => {
  it('defaults to __Host- cookies: HttpOnly, Secure, SameSite=Lax, Path=/, no Domain', async () => {
    const sessions = createSessions({ ...base, accessTtl: '5m', refreshTtl: '30d', now: manualClock().now })
    const { setCookie, accessToken, refreshToken } = await sessions.issue({ subject: 'alice' })
    expect(setCookie).toEqual([
      `__Host-session=${accessToken}; Max-Age=300; Path=/; HttpOnly; Secure; SameSite=Lax`,
      `__Host-session-refresh=${refreshToken}; Max-Age=2592000; Path=/; HttpOnly; Secure; SameSite=Lax`,
    ])
    for (const line of setCookie) expect(line).not.toMatch(/Domain=/i)
  })

  it('sets the attributes it is given', async () => {
    const sessions = createSessions({
      ...base,
      cookie: { name: 'sid', refreshName: 'rid', sameSite: 'Strict', path: '/app', domain: 'example.com' },
    })
    const { setCookie } = await sessions.issue({ subject: 'alice' })
    expect(setCookie[0]).toMatch(
      /^sid=[^;]+; Max-Age=300; Path=\/app; Domain=example\.com; HttpOnly; Secure; SameSite=Strict$/,
    )
    expect(setCookie[1]).toMatch(
      /^rid=[^;]+; Max-Age=\d+; Path=\/app; Domain=example\.com; HttpOnly; Secure; SameSite=Strict$/,
    )
    const { setCookie: cleared } = await sessions.logout({})
    expect(cleared).toEqual([
      'sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/app; Domain=example.com; HttpOnly; Secure; SameSite=Strict',
      'rid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/app; Domain=example.com; HttpOnly; Secure; SameSite=Strict',
    ])
  })

  it('refuses a configuration that breaks the __Host- and __Secure- prefix rules', () => {
    expect(() => createSessions({ ...base, cookie: { secure: false } })).toThrow(
      new TypeError('"cookie.name" starts with "__Host-", which requires "cookie.secure" to be true'),
    )
    expect(() => createSessions({ ...base, cookie: { path: '/api' } })).toThrow(
      new TypeError('"cookie.name" starts with "__Host-", which requires "cookie.path" to be "/"'),
    )
    expect(() => createSessions({ ...base, cookie: { domain: 'example.com' } })).toThrow(
      new TypeError('"cookie.name" starts with "__Host-", which forbids "cookie.domain"'),
    )
    expect(() =>
      createSessions({ ...base, cookie: { name: 'session', refreshName: '__Host-refresh', path: '/x' } }),
    ).toThrow(
      new TypeError('"cookie.refreshName" starts with "__Host-", which requires "cookie.path" to be "/"'),
    )
    expect(() => createSessions({ ...base, cookie: { name: '__Secure-session', secure: false } })).toThrow(
      new TypeError('"cookie.name" starts with "__Secure-", which requires "cookie.secure" to be true'),
    )
  })

  it('refuses other cookie mistakes with a TypeError naming the option', () => {
    expect(() => createSessions({ ...base, cookie: { name: 'a b' } })).toThrow(
      new TypeError('"cookie.name" must be a valid cookie name'),
    )
    expect(() => createSessions({ ...base, cookie: { name: 'same', refreshName: 'same' } })).toThrow(
      new TypeError('"cookie.refreshName" must differ from "cookie.name"'),
    )
    expect(() => createSessions({ ...base, cookie: { name: 's', sameSite: 'None', secure: false } })).toThrow(
      new TypeError('"cookie.sameSite" "None" requires "cookie.secure" to be true'),
    )
    expect(() => createSessions({ ...base, cookie: { name: 's', path: '/a;b' } })).toThrow(
      new TypeError('"cookie.path" must start with "/" and hold no spaces, ";" or control characters'),
    )
  })

  it('allows plain names without Secure for local development', async () => {
    const sessions = createSessions({ ...base, cookie: { name: 'dev_session', secure: false } })
    const { setCookie } = await sessions.issue({ subject: 'alice' })
    expect(setCookie[0]).toMatch(/^dev_session=[^;]+; Max-Age=300; Path=\/; HttpOnly; SameSite=Lax$/)
  })
})
