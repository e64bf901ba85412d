import { createAuth, createSessions } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

// Issue 3: with sealed sessions, `verify` split its argument before checking it was a string, so
// `auth.verify(undefined)` (a request without a header, read by hand) threw a TypeError, not a 401.
const issuer = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'

describe('issue 3: verify with sealed sessions and no token', () => {
  it.each([undefined, null, 42, {}])('rejects %s with token_missing, not a TypeError', async (value) => {
    const sessions = createSessions({ secret, issuer, audience: issuer, sealed: true })
    const auth = createAuth({ sessions })
    await expect(auth.verify(value as unknown as string)).rejects.toMatchObject({
      name: 'AuthError',
      code: 'token_missing',
      status: 401,
    })
  })
})
