import { once } from 'node:events'
import { createAuth, denyList, memoryStore, type Store } from '@portcullis/core'
import { redisStore } from '@portcullis/core/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { viaBoth } from '../support/both.js'
import { audience, issuer, secret, sign } from '../support/fixtures.js'
import { type RedisServer, startRedis } from '../support/redis-server.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const inAnHour = () => new Date(Date.now() + 3_600_000)

describe('denyList on a memory store', () => {
  it('refuses a token by its jti, and only that token', async () => {
    const deny = denyList({ store: memoryStore() })
    const auth = createAuth({ issuer, audience, secret, revoked: deny.revoked })
    const one = await sign(secret, { jti: 'token-1' })
    const two = await sign(secret, { jti: 'token-2' })
    await auth.verify(one)
    await deny.revoke({ jti: 'token-1', until: inAnHour() })
    const { node, fetch } = await viaBoth(auth, [['authorization', `Bearer ${one}`]])
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({ status: 'rejected', code: 'revoked', httpStatus: 401 })
    await expect(auth.verify(two)).resolves.toMatchObject({ subject: 'alice' })
  })

  it('refuses every token of a subject by its sub', async () => {
    const deny = denyList({ store: memoryStore() })
    const auth = createAuth({ issuer, audience, secret, revoked: deny.revoked })
    await deny.revoke({ sub: 'alice', until: inAnHour() })
    await expect(auth.verify(await sign(secret, { jti: 'a' }))).rejects.toMatchObject({ code: 'revoked' })
    await expect(auth.verify(await sign(secret))).rejects.toMatchObject({ code: 'revoked' })
    await expect(auth.verify(await sign(secret, { sub: 'bob' }))).resolves.toMatchObject({ subject: 'bob' })
  })

  it('keeps a jti and a sub with the same text apart', async () => {
    const deny = denyList({ store: memoryStore() })
    const auth = createAuth({ issuer, audience, secret, revoked: deny.revoked })
    await deny.revoke({ jti: 'bob', until: inAnHour() })
    // bob's own token passes: only a token whose jti is "bob" is denied.
    await expect(auth.verify(await sign(secret, { sub: 'bob', jti: 'other' }))).resolves.toBeDefined()
    await expect(auth.verify(await sign(secret, { sub: 'carol', jti: 'bob' }))).rejects.toMatchObject({
      code: 'revoked',
    })
    await deny.revoke({ sub: 'dave', until: inAnHour() })
    await expect(auth.verify(await sign(secret, { sub: 'erin', jti: 'dave' }))).resolves.toBeDefined()
  })

  it('forgets an entry when its until passes, and writes none for a time already past', async () => {
    let now = Date.now()
    const memory = memoryStore({ now: () => now })
    let writes = 0
    const store: Store = {
      ...memory,
      set(...args) {
        writes++
        return memory.set(...args)
      },
    }
    const deny = denyList({ store, now: () => now })
    const auth = createAuth({ issuer, audience, secret, revoked: deny.revoked, now: () => now })
    const token = await sign(secret, { jti: 'token-1', exp: Math.floor(now / 1000) + 7200 }, {}, now)
    await deny.revoke({ jti: 'token-1', until: new Date(now + 60_000) })
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'revoked' })
    now += 61_000
    await expect(auth.verify(token)).resolves.toBeDefined()
    await deny.revoke({ sub: 'alice', until: new Date(now - 1) })
    await expect(auth.verify(token)).resolves.toBeDefined()
    expect(writes).toBe(1)
  })

  it('is a 503 revocation_unavailable when its store fails', async () => {
    const broken: Store = {
      ...memoryStore(),
      get: () => Promise.reject(new Error('ECONNREFUSED')),
    }
    const auth = createAuth({ issuer, audience, secret, revoked: denyList({ store: broken }).revoked })
    await expect(auth.verify(await sign(secret))).rejects.toMatchObject({
      code: 'revocation_unavailable',
      status: 503,
    })
  })

  it.each([
    [{ until: inAnHour() }, 'revoke() needs a "jti" or a "sub"'],
    [{ jti: '', until: inAnHour() }, '"jti" must be a non-empty string'],
    [{ sub: 7, until: inAnHour() }, '"sub" must be a non-empty string'],
    [
      { sub: 'alice', until: Date.now() + 1000 },
      '"until" must be a valid Date (the token\'s exp: identity.expiresAt)',
    ],
    [
      { sub: 'alice', until: new Date(Number.NaN) },
      '"until" must be a valid Date (the token\'s exp: identity.expiresAt)',
    ],
  ])('refuses revoke(%j)', async (input, message) => {
    await expect(denyList({ store: memoryStore() }).revoke(input as never)).rejects.toThrow(
      new TypeError(message),
    )
  })

  it('refuses a missing store at construction', () => {
    expect(() => denyList({} as never)).toThrow(
      new TypeError('"store" must be a Store such as memoryStore() or redisStore(client)'),
    )
  })
})

describe('denyList on a real Redis, shared by two createAuth instances', () => {
  let server: RedisServer
  const clients: Redis[] = []
  const connect = async () => {
    const client = new Redis({
      host: '127.0.0.1',
      port: server.port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 500,
      commandTimeout: 500,
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

  it('a revocation on one instance refuses the token on the other at once, cache hit and all', async () => {
    const denyA = denyList({ store: redisStore(await connect(), { timeout: '300ms' }) })
    const denyB = denyList({ store: redisStore(await connect(), { timeout: '300ms' }) })
    const a = createAuth({ issuer, audience, secret, revoked: denyA.revoked })
    const b = createAuth({ issuer, audience, secret, revoked: denyB.revoked })
    const token = await sign(secret, { jti: 'shared-1', sub: 'frank' })
    expect(await b.authenticate(bearer(token))).toMatchObject({ status: 'authenticated' })
    expect(await b.authenticate(bearer(token))).toMatchObject({ status: 'authenticated' })
    await denyA.revoke({ jti: 'shared-1', until: inAnHour() })
    const { node, fetch } = await viaBoth(b, [['authorization', `Bearer ${token}`]])
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({ status: 'rejected', code: 'revoked', httpStatus: 401 })
    // By subject, from the other side.
    const other = await sign(secret, { jti: 'shared-2', sub: 'grace' })
    expect(await a.authenticate(bearer(other))).toMatchObject({ status: 'authenticated' })
    await denyB.revoke({ sub: 'grace', until: inAnHour() })
    expect(await a.authenticate(bearer(other))).toMatchObject({
      status: 'rejected',
      error: { code: 'revoked' },
    })
  })

  it('sets the Redis key to expire with the entry, under the prefix', async () => {
    const client = await connect()
    const deny = denyList({ store: redisStore(client, { prefix: 'app:' }) })
    await deny.revoke({ jti: 'ttl-1', sub: 'heidi', until: new Date(Date.now() + 120_000) })
    for (const key of ['app:deny:jti:ttl-1', 'app:deny:sub:heidi']) {
      const ttl = await client.pttl(key)
      expect(ttl).toBeGreaterThan(110_000)
      expect(ttl).toBeLessThanOrEqual(121_000)
    }
    // A time already past writes nothing (Redis would refuse a negative expiry).
    await deny.revoke({ sub: 'ivan', until: new Date(Date.now() - 1000) })
    expect(await client.exists('app:deny:sub:ivan')).toBe(0)
  })

  it('is a 503 while Redis is down, and answers again when it is back', async () => {
    const deny = denyList({ store: redisStore(await connect(), { timeout: '300ms' }) })
    const auth = createAuth({ issuer, audience, secret, revoked: deny.revoked })
    const token = await sign(secret, { jti: 'outage-1' })
    expect(await auth.authenticate(bearer(token))).toMatchObject({ status: 'authenticated' })
    server.freeze()
    try {
      const result = await auth.authenticate(bearer(token))
      expect(result).toMatchObject({
        status: 'rejected',
        error: { code: 'revocation_unavailable', status: 503 },
      })
    } finally {
      server.thaw()
    }
    const deadline = Date.now() + 3000
    let result = await auth.authenticate(bearer(token))
    while (result.status !== 'authenticated' && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 50))
      result = await auth.authenticate(bearer(token))
    }
    expect(result).toMatchObject({ status: 'authenticated' })
  })
})
