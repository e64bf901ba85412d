import { once } from 'node:events'
import { createAuth, createSessions } from '@portcullis/core'
import { redisStore } from '@portcullis/core/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../support/redis-server.js'
import { withCookies } from '../support/sessions.js'

const issuer = 'https://api.example.com'
const audience = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'

let server: RedisServer
const clients: Redis[] = []
async function connect(): Promise<Redis> {
  const client = new Redis({ host: '127.0.0.1', port: server.port, enableOfflineQueue: false })
  client.on('error', () => {})
  clients.push(client)
  await once(client, 'ready')
  return client
}
beforeAll(async () => {
  server = await startRedis()
})
afterAll(async () => {
  for (const client of clients) client.disconnect()
  await server.stop()
})

/** Holds writes for `ms`, starts a rotation that blocks on them, then checks an unrelated session. */
async function checkDuringBlockedRotation(readClient: boolean) {
  const client = await connect()
  const store = redisStore(client, { timeout: '300ms', readClient: readClient ? await connect() : undefined })
  const sessions = createSessions({ secret, issuer, audience, store })
  const auth = createAuth({ sessions })
  const rotating = await sessions.issue({ subject: 'alice' })
  const reading = await sessions.issue({ subject: 'bob' })
  const admin = await connect()
  await admin.call('CLIENT', 'PAUSE', '1500', 'WRITE')
  const rotation = sessions.refresh(rotating.refreshToken).catch((error) => error)
  await new Promise((done) => setTimeout(done, 20)) // the rotation's write is now held by Redis
  const started = performance.now()
  const result = await auth.authenticate(withCookies(reading.setCookie))
  const took = performance.now() - started
  await rotation
  await admin.call('CLIENT', 'UNPAUSE')
  return { result, took }
}

// Issue 15: Redis answers a connection's commands in order, so a plain access-token check queued
// behind a rotation blocked by a write pause. It never waits longer than its own timeout, and on a
// separate readClient connection it is not held at all.
describe('issue 15: an access-token check while a rotation is blocked on the store', () => {
  it('gives up after its own timeout on the shared connection: a 503, not a hang', async () => {
    const { result, took } = await checkDuringBlockedRotation(false)
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'store_unavailable', status: 503 } })
    expect(took).toBeLessThan(300 + 400)
  })

  it('answers at once on its own readClient connection', async () => {
    const { result, took } = await checkDuringBlockedRotation(true)
    expect(result).toMatchObject({ status: 'authenticated', identity: { subject: 'bob' } })
    expect(took).toBeLessThan(250)
  })
})
