/**
 * `@portcullis/core` admits `ioredis` `^5 || ^6` as its peer: redis.test.ts runs everything on ioredis 5
 * (the workspace's `ioredis`), and this file runs the store contract, a cross-instance race and an outage
 * on ioredis 6 (the `ioredis6` npm alias), against a real redis-server, so both majors are tested.
 */
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createAuth, createSessions } from '@portcullis/core'
import { redisStore } from '@portcullis/core/redis'
import { Redis, type RedisOptions } from 'ioredis6'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../support/redis-server.js'
import { withCookies } from '../support/sessions.js'

const issuer = 'https://api.example.com'
const audience = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'

const clients: Redis[] = []
async function connect(server: RedisServer): Promise<Redis> {
  const options: RedisOptions = {
    host: '127.0.0.1',
    port: server.port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 500,
    commandTimeout: 500,
    retryStrategy: () => 50,
  }
  const client = new Redis(options)
  client.on('error', () => {}) // Outages are expected here; ioredis would log each reconnect attempt.
  clients.push(client)
  await once(client, 'ready')
  return client
}

let server: RedisServer
beforeAll(async () => {
  server = await startRedis()
})
afterAll(async () => {
  for (const client of clients) client.disconnect()
  await server.stop()
})

describe('redisStore on ioredis 6', () => {
  it('is ioredis 6', () => {
    const manifest = createRequire(import.meta.url).resolve('ioredis6/package.json')
    expect(JSON.parse(readFileSync(manifest, 'utf8')).version).toMatch(/^6\./)
  })

  it('gets, sets with a TTL, swaps only on the expected value, and deletes', async () => {
    const client = await connect(server)
    const store = redisStore(client, { prefix: 'v6:' })
    expect(await store.get('a')).toBeUndefined()
    await store.set('a', 'one', 60)
    expect(await store.get('a')).toBe('one')
    expect(await client.pttl('v6:a')).toBeGreaterThan(59_000)
    expect(await store.compareAndSwap('a', 'zero', 'two', 60)).toBe(false)
    expect(await store.compareAndSwap('a', 'one', 'two', 60)).toBe(true)
    expect(await store.get('a')).toBe('two')
    await store.delete('a')
    expect(await store.get('a')).toBeUndefined()
  })

  it('lets exactly one of 20 concurrent refreshes across two instances win, and revokes everywhere', async () => {
    const make = async () => {
      const sessions = createSessions({
        secret,
        issuer,
        audience,
        refreshGrace: 0,
        store: redisStore(await connect(server)),
      })
      return { sessions, auth: createAuth({ sessions }) }
    }
    const [a, b] = [await make(), await make()]
    const issued = await a.sessions.issue({ subject: 'erin' })
    expect((await b.auth.authenticate(withCookies(issued.setCookie))).status).toBe('authenticated')
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).sessions.refresh(issued.refreshToken)),
    )
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)

    const other = await a.sessions.issue({ subject: 'carol' })
    await b.sessions.revokeSubject('carol')
    await expect(a.auth.verify(other.accessToken)).rejects.toMatchObject({ code: 'revoked', status: 401 })
  })

  it('answers 503 store_unavailable while Redis is down, and recovers when it returns', async () => {
    const sessions = createSessions({ secret, issuer, audience, store: redisStore(await connect(server)) })
    const auth = createAuth({ sessions })
    const issued = await sessions.issue({ subject: 'alice' })
    await server.kill()
    const during = await auth.authenticate(withCookies(issued.setCookie))
    expect(during).toMatchObject({ status: 'rejected', error: { code: 'store_unavailable', status: 503 } })

    await server.restart()
    let again: Awaited<ReturnType<typeof sessions.issue>> | undefined
    for (let attempt = 0; attempt < 100 && !again; attempt++) {
      again = await sessions.issue({ subject: 'alice' }).catch(() => undefined)
      if (!again) await new Promise((done) => setTimeout(done, 50))
    }
    expect(await auth.authenticate(withCookies(again!.setCookie))).toMatchObject({ status: 'authenticated' })
  })
})
