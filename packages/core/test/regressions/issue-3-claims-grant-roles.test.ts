import { createAuth, createSessions } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

// Issue 3: roles reach a session only through `issue({ roles })`; `claims` may not set what sessions
// set or what grants scopes or roles. `roles`, `scope` and `scp` were refused, but `role` and
// `realm_access` were not, and createAuth reads roles from both by default: free-form claims
// (a profile, say) could grant a role.
const issuer = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'

describe('issue 3: session claims cannot grant roles', () => {
  it.each([
    ['role', { role: 'admin' }],
    ['realm_access', { realm_access: { roles: ['admin'] } }],
  ])('refuses claims that set "%s"', async (name, claims) => {
    const sessions = createSessions({ secret, issuer, audience: issuer })
    await expect(sessions.issue({ subject: 'alice', claims })).rejects.toThrow(
      new TypeError(`"claims" must not set "${name}": sessions set it themselves`),
    )
  })

  it('grants roles given as roles', async () => {
    const sessions = createSessions({ secret, issuer, audience: issuer })
    const auth = createAuth({ sessions })
    const { accessToken } = await sessions.issue({
      subject: 'alice',
      roles: ['admin'],
      claims: { team: 'a' },
    })
    await expect(auth.verify(accessToken)).resolves.toMatchObject({ roles: ['admin'] })
  })
})
