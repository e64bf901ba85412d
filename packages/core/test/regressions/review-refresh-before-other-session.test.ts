import { createAuth, createSessions, memoryStore } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { manualClock } from '../support/sessions.js'

// Review: a proactive refresh (`refreshBefore`) traded whatever refresh cookie came beside the access
// cookie. With the access cookie of one session and the refresh cookie of another (a cookie tossed in
// from a sibling host under a non-`__Host-` name, a stale cookie on another path), a request
// authenticated as alice came back as bob, with bob's new cookies, and bob's session was rotated by a
// request that was not his. A proactive refresh now trades only the refresh token of the access
// token's own session; any other one is left alone and the valid access token stands.
describe('review: refreshBefore with a refresh cookie of another session', () => {
  const clock = manualClock()
  const sessions = createSessions({
    secret: 'a-session-secret-of-at-least-32-bytes',
    issuer: 'https://api.example.com',
    audience: 'https://api.example.com',
    accessTtl: '5m',
    refreshBefore: '60s',
    cookie: { name: 'session', secure: false },
    store: memoryStore({ now: clock.now }),
    now: clock.now,
  })
  const auth = createAuth({ sessions })

  it('keeps the access token of its own session and rotates neither', async () => {
    const alice = await sessions.issue({ subject: 'alice' })
    const bob = await sessions.issue({ subject: 'bob' })
    clock.advance(4 * 60_000 + 30_000) // 30 s left: inside the window
    const cookie = `session=${alice.accessToken}; session-refresh=${bob.refreshToken}`
    const result = await auth.authenticate({ cookie })
    expect(result).toMatchObject({ status: 'authenticated', identity: { subject: 'alice' } })
    expect(result.setCookie).toBeUndefined()
    // Bob's refresh token was not spent by alice's request: his next refresh is no reuse.
    await expect(sessions.refresh(bob.refreshToken)).resolves.toMatchObject({ sessionId: bob.sessionId })
  })

  it('still refreshes early with the refresh cookie of the same session', async () => {
    const alice = await sessions.issue({ subject: 'alice' })
    clock.advance(4 * 60_000 + 30_000)
    const cookie = `session=${alice.accessToken}; session-refresh=${alice.refreshToken}`
    const result = await auth.authenticate({ cookie })
    expect(result).toMatchObject({ status: 'authenticated', identity: { subject: 'alice' } })
    expect(result.setCookie).toHaveLength(2)
  })
})
