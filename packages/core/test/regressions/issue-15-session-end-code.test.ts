import { once } from 'node:events'
import { createAuth, createSessions, memoryStore } from '@portcullis/core'
import { redisStore } from '@portcullis/core/redis'
import { Redis } from 'ioredis'
import { describe, expect, it, onTestFinished } from 'vitest'
import { startRedis } from '../support/redis-server.js'
import { manualClock, withCookies } from '../support/sessions.js'

const issuer = 'https://api.example.com'
const audience = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'

// Issue 15: a session past refreshTtl answered `revoked` (its record had expired from the store first),
// not the `token_expired` the README documents; and a refresh in its last second answered
// "authenticated" while sending cookies with Max-Age=0, which the browser deletes at once.
describe('issue 15: the end of a session', () => {
  it('is token_expired past refreshTtl, through sessions.refresh and authenticate', async () => {
    const clock = manualClock()
    const sessions = createSessions({
      secret,
      issuer,
      audience,
      accessTtl: '5m',
      refreshTtl: '1h',
      now: clock.now,
      store: memoryStore({ now: clock.now }),
    })
    const auth = createAuth({ sessions })
    const issued = await sessions.issue({ subject: 'alice' })
    clock.advance(60 * 60_000 + 1)
    await expect(sessions.refresh(issued.refreshToken)).rejects.toMatchObject({
      code: 'token_expired',
      status: 401,
    })
    const result = await auth.authenticate(withCookies(issued.setCookie))
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'token_expired', status: 401 } })
    expect(result.setCookie?.every((cookie) => cookie.includes('Max-Age=0'))).toBe(true)
  })

  it('is token_expired past refreshTtl on a real Redis, whose TTLs run on its own clock', async () => {
    const server = await startRedis()
    const client = new Redis({ host: '127.0.0.1', port: server.port, enableOfflineQueue: false })
    client.on('error', () => {})
    onTestFinished(async () => {
      client.disconnect()
      await server.stop()
    })
    await once(client, 'ready')
    const sessions = createSessions({
      secret,
      issuer,
      audience,
      accessTtl: '1s',
      refreshTtl: '1500ms',
      store: redisStore(client),
    })
    const issued = await sessions.issue({ subject: 'bob' })
    await new Promise((done) => setTimeout(done, 1600))
    await expect(sessions.refresh(issued.refreshToken)).rejects.toMatchObject({ code: 'token_expired' })
    // A revoked session still reads as revoked.
    const other = await sessions.issue({ subject: 'bob' })
    await sessions.revoke(other.sessionId)
    await expect(sessions.refresh(other.refreshToken)).rejects.toMatchObject({ code: 'revoked' })
  })

  it('does not answer authenticated with cookies the browser deletes, in the last second', async () => {
    const clock = manualClock()
    const sessions = createSessions({
      secret,
      issuer,
      audience,
      accessTtl: '5m',
      refreshTtl: '1h',
      now: clock.now,
    })
    const auth = createAuth({ sessions })
    const issued = await sessions.issue({ subject: 'carol' })
    clock.advance(60 * 60_000 - 400) // 0.4 s left
    const result = await auth.authenticate({ cookie: withCookies(issued.setCookie).cookie.split('; ')[1]! })
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'token_expired' } })
    // One second and more left: a refresh whose cookies live at least that second.
    const fresh = await sessions.issue({ subject: 'carol' })
    clock.advance(60 * 60_000 - 1000)
    const refreshed = await sessions.refresh(fresh.refreshToken)
    for (const cookie of refreshed.setCookie) expect(cookie).toContain('Max-Age=1;')
  })
})
