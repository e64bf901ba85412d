import { once } from 'node:events'
import { createAuth, createSessions } from '@portcullis/core'
import { redisStore } from '@portcullis/core/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../support/redis-server.js'

const issuer = 'https://api.example.com'
const audience = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

let server: RedisServer
const clients: Redis[] = []
async function connect(): Promise<Redis> {
  const client = new Redis({
    host: '127.0.0.1',
    port: server.port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 50,
  })
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

/** A real client, except that `beforeWrite` runs just before a compare-and-swap script goes out. */
function watched(client: Redis, beforeWrite: () => void): Redis {
  return new Proxy(client, {
    get(target, property) {
      if (property !== 'eval') return Reflect.get(target, property)
      return (script: string, numKeys: number, ...args: string[]) => {
        if (script.includes("redis.call('SET'")) beforeWrite()
        return target.eval(script, numKeys, ...args)
      }
    },
  })
}

/** Two API instances, each with its own connection, sessions and verifier. */
async function instances(beforeWrite: () => void = () => {}) {
  return Promise.all(
    [0, 1].map(async () => {
      const sessions = createSessions({
        secret,
        issuer,
        audience,
        refreshGrace: '1s',
        store: redisStore(watched(await connect(), beforeWrite), { timeout: '300ms' }),
      })
      return { sessions, auth: createAuth({ sessions }) }
    }),
  )
}

// Issue 15: a rotation that timed out on the client (503) still ran when the store came back, with a
// grace window timed from when the instance prepared it. A retry just after a pause longer than the
// window was refresh_reused, and the user's session was revoked. The window now counts from when the
// store committed the rotation.
describe('issue 15: a refresh that got a 503 from a paused store', () => {
  it('lets the retry on the other instance through after CLIENT PAUSE WRITE longer than the grace window', async () => {
    const [a, b] = await instances()
    const issued = await a!.sessions.issue({ subject: 'alice' })
    const admin = await connect()
    await admin.call('CLIENT', 'PAUSE', '2000', 'WRITE')
    const paused = Date.now()
    await expect(a!.sessions.refresh(issued.refreshToken)).rejects.toMatchObject({
      code: 'store_unavailable',
      status: 503,
    })
    await sleep(2000 - (Date.now() - paused) + 200) // the pause ends; the held rotation runs now
    const retried = await b!.sessions.refresh(issued.refreshToken)
    expect(await a!.auth.verify(retried.accessToken)).toMatchObject({ subject: 'alice' })
    // The session goes on: the new refresh token rotates as usual.
    const next = await a!.sessions.refresh(retried.refreshToken)
    expect(await b!.auth.verify(next.accessToken)).toMatchObject({ subject: 'alice' })
  })

  it('lets the retry through after Redis froze (SIGSTOP) as the rotation was sent, longer than the grace window', async () => {
    let freezeNext = false
    const [a, b] = await instances(() => {
      if (freezeNext) server.freeze()
      freezeNext = false
    })
    const issued = await a!.sessions.issue({ subject: 'bob' })
    freezeNext = true // the rotation's read is answered; its write reaches a frozen Redis
    try {
      await expect(a!.sessions.refresh(issued.refreshToken)).rejects.toMatchObject({
        code: 'store_unavailable',
      })
      await sleep(1500)
    } finally {
      server.thaw()
    }
    await sleep(100)
    const retried = await b!.sessions.refresh(issued.refreshToken)
    expect(await b!.auth.verify(retried.accessToken)).toMatchObject({ subject: 'bob' })
  })

  it('still treats the old refresh token as reuse once the grace window has passed since the commit', async () => {
    const [a, b] = await instances()
    const issued = await a!.sessions.issue({ subject: 'carol' })
    await a!.sessions.refresh(issued.refreshToken)
    await sleep(1100)
    await expect(b!.sessions.refresh(issued.refreshToken)).rejects.toMatchObject({
      code: 'refresh_reused',
      status: 401,
    })
  })
})
