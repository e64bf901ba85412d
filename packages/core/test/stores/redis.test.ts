import { once } from 'node:events'
import { createAuth, createSessions, type Store } from '@portcullis/core'
import { redisStore } from '@portcullis/core/redis'
import { Redis, type RedisOptions } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../support/redis-server.js'
import { withCookies } from '../support/sessions.js'

const issuer = 'https://api.example.com'
const audience = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'

// What we recommend: fail fast while Redis is away, reconnect quickly when it is back.
const FAIL_FAST: RedisOptions = {
  host: '127.0.0.1',
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 500,
  commandTimeout: 500,
  retryStrategy: () => 50,
}

const clients: Redis[] = []
async function connect(server: RedisServer, options: RedisOptions = FAIL_FAST): Promise<Redis> {
  const client = new Redis({ ...options, port: server.port })
  client.on('error', () => {}) // Outages are expected here; ioredis would log each reconnect attempt.
  clients.push(client)
  await once(client, 'ready')
  return client
}

afterAll(() => {
  for (const client of clients) client.disconnect()
})

describe('redisStore', () => {
  let server: RedisServer
  let store: Store
  let client: Redis
  beforeAll(async () => {
    server = await startRedis()
    client = await connect(server)
    store = redisStore(client, { prefix: 'contract:' })
  })
  afterAll(() => server.stop())

  it('gets, sets with a TTL, and deletes', async () => {
    expect(await store.get('a')).toBeUndefined()
    await store.set('a', 'one', 60)
    expect(await store.get('a')).toBe('one')
    const ttl = await client.pttl('contract:a')
    expect(ttl).toBeGreaterThan(59_000)
    expect(ttl).toBeLessThanOrEqual(60_000)
    await store.delete('a')
    expect(await store.get('a')).toBeUndefined()
  })

  it('swaps only when the current value is the expected one', async () => {
    expect(await store.compareAndSwap('b', undefined, 'one', 60)).toBe(true)
    expect(await store.compareAndSwap('b', undefined, 'two', 60)).toBe(false)
    expect(await store.compareAndSwap('b', 'zero', 'two', 60)).toBe(false)
    expect(await store.get('b')).toBe('one')
    expect(await store.compareAndSwap('b', 'one', 'two', 5)).toBe(true)
    expect(await store.get('b')).toBe('two')
    expect(await client.pttl('contract:b')).toBeLessThanOrEqual(5000)
    expect(await store.compareAndSwap('b', 'two', undefined, 0)).toBe(true)
    expect(await store.get('b')).toBeUndefined()
  })

  it('reads a value with its remaining TTL, and falls back to a plain read on a Redis without script flags', async () => {
    await store.set('t', 'v', 60)
    const read = await store.getWithTtl!('t')
    expect(read?.value).toBe('v')
    expect(read!.ttl).toBeGreaterThan(59)
    expect(read!.ttl).toBeLessThanOrEqual(60)
    // What Redis 6 answers to a script with a shebang line.
    const old = new Proxy(client, {
      get(target, property) {
        if (property !== 'eval') return Reflect.get(target, property)
        return async () => {
          throw Object.assign(
            new Error("ERR Error compiling script (new function): user_script:1: unexpected symbol near '#'"),
            {
              name: 'ReplyError',
            },
          )
        }
      },
    })
    const fallback = redisStore(old, { prefix: 'contract:' })
    expect(await fallback.getWithTtl!('t')).toEqual({ value: 'v', ttl: Number.NaN })
    expect(await fallback.getWithTtl!('absent')).toBeUndefined()
  })

  it('refuses something that is not a Redis client', () => {
    expect(() => redisStore({} as never)).toThrow(
      new TypeError('redisStore() needs a Redis client such as new Redis() from ioredis'),
    )
  })
})

describe('sessions shared by two instances through one Redis', () => {
  let server: RedisServer
  // Two app instances: each with its own connection, sessions and verifier (and token cache).
  const instances: Array<{
    sessions: ReturnType<typeof createSessions>
    auth: ReturnType<typeof createAuth>
  }> = []
  beforeAll(async () => {
    server = await startRedis()
    for (let i = 0; i < 2; i++) {
      const sessions = createSessions({
        secret,
        issuer,
        audience,
        refreshGrace: 0,
        store: redisStore(await connect(server)),
      })
      instances.push({ sessions, auth: createAuth({ sessions }) })
    }
  })
  afterAll(() => server.stop())

  it('rejects on one instance a session revoked through the other, cached token included', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]]
    const issued = await a.sessions.issue({ subject: 'alice' })
    const request = withCookies(issued.setCookie)
    expect((await b.auth.authenticate(request)).status).toBe('authenticated')
    expect((await b.auth.authenticate(request)).status).toBe('authenticated')
    await a.sessions.revoke(issued.sessionId)
    const result = await b.auth.authenticate(request)
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'revoked', status: 401 } })
  })

  it('revokes a subject everywhere', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]]
    const one = await a.sessions.issue({ subject: 'carol' })
    const two = await b.sessions.issue({ subject: 'carol' })
    expect(await a.auth.verify(two.accessToken)).toMatchObject({ subject: 'carol' })
    await b.sessions.revokeSubject('carol')
    await expect(a.auth.verify(one.accessToken)).rejects.toMatchObject({ code: 'revoked' })
    await expect(a.auth.verify(two.accessToken)).rejects.toMatchObject({ code: 'revoked' })
  })

  it('keeps track of 30 sign-ins of one subject at once, so revokeSubject ends them all', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]]
    const issued = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).sessions.issue({ subject: 'grace' })),
    )
    await a.sessions.revokeSubject('grace')
    for (const { accessToken } of issued)
      await expect(b.auth.verify(accessToken)).rejects.toMatchObject({ code: 'revoked' })
  })

  it('revokes the family when a refresh token is reused on the other instance', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]]
    const issued = await a.sessions.issue({ subject: 'dave' })
    const refreshed = await a.sessions.refresh(issued.refreshToken)
    await expect(b.sessions.refresh(issued.refreshToken)).rejects.toMatchObject({
      code: 'refresh_reused',
      status: 401,
    })
    await expect(a.auth.verify(refreshed.accessToken)).rejects.toMatchObject({ code: 'revoked' })
    await expect(b.sessions.refresh(refreshed.refreshToken)).rejects.toMatchObject({ code: 'revoked' })
  })

  it('lets exactly one of 50 concurrent refreshes across both instances win', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]]
    const issued = await a.sessions.issue({ subject: 'erin' })
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).sessions.refresh(issued.refreshToken)),
    )
    const winners = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    expect(winners).toHaveLength(1)
    // Losers see the reuse (and end the family), or arrive after it ended and see a revoked session.
    const codes = results.flatMap((result) => (result.status === 'rejected' ? [result.reason.code] : []))
    expect(codes).toContain('refresh_reused')
    for (const code of codes) expect(['refresh_reused', 'revoked']).toContain(code)
    await expect(a.auth.verify(winners[0]!.accessToken)).rejects.toMatchObject({ code: 'revoked' })
  })

  it('gives concurrent refreshes within the grace window one shared new refresh token', async () => {
    const store = redisStore(await connect(server))
    const sessions = createSessions({ secret, issuer, audience, refreshGrace: '10s', store })
    const issued = await sessions.issue({ subject: 'frank' })
    const results = await Promise.all(Array.from({ length: 50 }, () => sessions.refresh(issued.refreshToken)))
    expect(new Set(results.map((result) => result.refreshToken)).size).toBe(1)
    expect(await createAuth({ sessions }).verify(results[49]!.accessToken)).toMatchObject({
      subject: 'frank',
    })
  })
})

describe('a Redis outage', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await startRedis()
  })
  afterAll(() => server.stop())

  it('answers 503 store_unavailable while Redis is down, keeps serving, and recovers when it returns', async () => {
    const sessions = createSessions({ secret, issuer, audience, store: redisStore(await connect(server)) })
    const external = { issuer: 'https://id.example.com', audience, secret: 'e'.repeat(32) }
    const auth = createAuth({ sessions, issuers: [external] })
    const issued = await sessions.issue({ subject: 'alice' })
    const request = withCookies(issued.setCookie)
    expect((await auth.authenticate(request)).status).toBe('authenticated')

    await server.kill()
    const during = await auth.authenticate(request)
    expect(during).toMatchObject({ status: 'rejected', error: { code: 'store_unavailable', status: 503 } })
    expect(during.setCookie).toBeUndefined()
    await expect(sessions.issue({ subject: 'bob' })).rejects.toMatchObject({ code: 'store_unavailable' })
    await expect(sessions.refresh(issued.refreshToken)).rejects.toMatchObject({ code: 'store_unavailable' })
    // Tokens that need no store still pass: the process keeps serving.
    const other = createSessions({ ...external, store: undefined })
    const { accessToken } = await other.issue({ subject: 'zoe' })
    expect(await auth.verify(accessToken)).toMatchObject({ subject: 'zoe' })

    await server.restart()
    // ioredis reconnects on its own; new sign-ins work again within a bounded wait.
    let again: Awaited<ReturnType<typeof sessions.issue>> | undefined
    for (let attempt = 0; attempt < 100 && !again; attempt++) {
      again = await sessions.issue({ subject: 'alice' }).catch(() => undefined)
      if (!again) await new Promise((done) => setTimeout(done, 50))
    }
    expect(again).toBeDefined()
    expect(await auth.authenticate(withCookies(again!.setCookie))).toMatchObject({ status: 'authenticated' })
    // This Redis kept nothing on disk: the old session is gone, and reads as revoked (fail closed).
    expect(await auth.authenticate(request)).toMatchObject({ status: 'rejected', error: { code: 'revoked' } })
  })

  it('gives up after its timeout when the client queues commands while disconnected', async () => {
    const client = await connect(server, { host: '127.0.0.1', retryStrategy: () => 50 })
    const sessions = createSessions({
      secret,
      issuer,
      audience,
      store: redisStore(client, { timeout: '200ms' }),
    })
    const auth = createAuth({ sessions })
    const issued = await sessions.issue({ subject: 'alice' })
    await server.kill()
    const result = await auth.authenticate(withCookies(issued.setCookie))
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'store_unavailable', status: 503 } })
    await server.restart()
  })
})
