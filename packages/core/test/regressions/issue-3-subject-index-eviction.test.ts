import { createAuth, createSessions, memoryStore } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { manualClock, withCookies } from '../support/sessions.js'

// Issue 3: the bounded memory store drops the least recently written key. A session's record is
// rewritten on every refresh, but its subject's index (`u:<subject>`) was not, so a busy store
// dropped the index first and `revokeSubject` then found nothing: the session stayed alive.
const issuer = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'

describe('issue 3: revokeSubject when the store is full', () => {
  it('ends a refreshed session even after many other sign-ins filled the store', async () => {
    const clock = manualClock()
    const store = memoryStore({ max: 10, now: clock.now })
    const sessions = createSessions({ secret, issuer, audience: issuer, now: clock.now, store })
    const auth = createAuth({ sessions })
    let victim = await sessions.issue({ subject: 'victim' })
    for (let i = 0; i < 6; i++) {
      await sessions.issue({ subject: `other-${i}` })
      victim = await sessions.refresh(victim.refreshToken)
    }
    expect(await auth.authenticate(withCookies(victim.setCookie))).toMatchObject({ status: 'authenticated' })

    await sessions.revokeSubject('victim')

    const result = await auth.authenticate(withCookies(victim.setCookie))
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'revoked', status: 401 } })
    await expect(sessions.refresh(victim.refreshToken)).rejects.toMatchObject({
      code: 'revoked',
      status: 401,
    })
  })
})
