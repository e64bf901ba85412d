import { createAuth, createSessions } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { viaBoth } from '../support/both.js'
import { audience, claims, forge, issuer as idp, secret as idpSecret } from '../support/fixtures.js'
import { cookieHeader } from '../support/sessions.js'

// Issue 11: `issue({ claims })` refused the default role claims by name, but createAuth's `roles`
// option may read any path: a top-level key spelling a dotted path ('realm_access.roles'), or a
// custom path (`groups`, `resource_access.api.roles`). Free-form claims became roles. Now a
// session token's roles come only from issue()'s `roles` and its scopes only from `scopes`,
// whatever `roles` reads; the role paths still apply to other issuers' tokens.
const issuer = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'
const granting = {
  'realm_access.roles': ['admin'],
  groups: ['admin'],
  resource_access: { api: { roles: ['admin'] } },
  'https://example.com/roles': ['admin'],
  permissions: 'admin',
}

describe('issue 11: session claims never grant rights', () => {
  it.each([
    ['the default role paths', undefined],
    [
      'custom role paths',
      [
        'groups',
        'resource_access.api.roles',
        'realm_access.roles',
        'https://example.com/roles',
        'permissions',
      ],
    ],
  ])('reads no role from claims with %s', async (_name, paths) => {
    const sessions = createSessions({ secret, issuer, audience: issuer })
    const auth = createAuth({ sessions, ...(paths ? { roles: { claims: paths } } : {}) })
    const { accessToken, setCookie } = await sessions.issue({
      subject: 'alice',
      roles: ['reader'],
      scopes: ['read'],
      claims: granting,
    })
    const identity = await auth.verify(accessToken)
    expect(identity.roles).toEqual(['reader'])
    expect(identity.scopes).toEqual(['read'])
    // The claims are still there for the app to read as data.
    expect(identity.claims).toMatchObject({ groups: ['admin'] })
    const { node, fetch } = await viaBoth(auth, [['cookie', cookieHeader(setCookie)]])
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({ status: 'authenticated', subject: 'alice', source: 'session' })
  })

  it("still reads the role paths in another issuer's tokens", async () => {
    const sessions = createSessions({ secret, issuer, audience: issuer })
    const auth = createAuth({
      sessions,
      issuers: [{ issuer: idp, audience, secret: idpSecret }],
      roles: { claims: ['groups'] },
    })
    const token = forge({ alg: 'HS256' }, claims(Date.now(), { groups: ['admin'] }))
    expect(await auth.verify(token)).toMatchObject({ roles: ['admin'] })
  })

  it('gives no roles or scopes at all when issue() gave none', async () => {
    const sessions = createSessions({ secret, issuer, audience: issuer })
    const auth = createAuth({ sessions, roles: { claims: ['groups'] } })
    const { accessToken } = await sessions.issue({ subject: 'alice', claims: granting })
    expect(await auth.verify(accessToken)).toMatchObject({ roles: [], scopes: [] })
  })

  it.each(['scope', 'scp', 'roles', 'role', 'realm_access'])(
    'still refuses claims that set "%s" at issue',
    async (name) => {
      const sessions = createSessions({ secret, issuer, audience: issuer })
      await expect(sessions.issue({ subject: 'alice', claims: { [name]: 'admin' } })).rejects.toThrow(
        new TypeError(`"claims" must not set "${name}": sessions set it themselves`),
      )
    },
  )
})
