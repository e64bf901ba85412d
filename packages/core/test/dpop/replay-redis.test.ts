/**
 * DPoP replay detection shared through a real Redis: a proof used on one instance is refused on
 * another, and a Redis outage is a 503, never a 401.
 */
import { once } from 'node:events'
import { createAuth } from '@portcullis/core'
import { redisStore } from '@portcullis/core/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ProofKey, proof, proofKey } from '../support/dpop.js'
import { audience, issuer, type SigningKey, sign, signingKey } from '../support/fixtures.js'
import { type RedisServer, startRedis } from '../support/redis-server.js'

let server: RedisServer
const clients: Redis[] = []
let issuerKey: SigningKey
let client: ProofKey
let token: string

async function connect(): Promise<Redis> {
  const redis = new Redis({
    host: '127.0.0.1',
    port: server.port,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 500,
    commandTimeout: 500,
    retryStrategy: () => 50,
  })
  redis.on('error', () => {}) // the outage below is expected
  clients.push(redis)
  await once(redis, 'ready')
  return redis
}

beforeAll(async () => {
  server = await startRedis()
  issuerKey = await signingKey('ES256')
  client = await proofKey()
  token = await sign(issuerKey, { cnf: { jkt: client.jkt } })
})

afterAll(async () => {
  for (const redis of clients) redis.disconnect()
  await server.stop()
})

const instance = async () =>
  createAuth({
    issuer,
    audience,
    keys: [issuerKey.publicJwk],
    dpop: { store: redisStore(await connect(), { prefix: 'dpop-test:', timeout: '500ms' }) },
  })

const url = 'https://api.example.com/reports'
const request = (dpop: string) => new Request(url, { headers: { authorization: `DPoP ${token}`, dpop } })

describe('DPoP replay detection on a shared Redis store', () => {
  it('refuses on a second instance a proof the first one accepted', async () => {
    const [a, b] = [await instance(), await instance()]
    const used = await proof(client, { htm: 'GET', htu: url, token })
    expect(await a.authenticate(request(used))).toMatchObject({ status: 'authenticated' })
    expect(await b.authenticate(request(used))).toMatchObject({
      status: 'rejected',
      error: { code: 'dpop_replayed', status: 401 },
    })
    expect(await b.authenticate(request(await proof(client, { htm: 'GET', htu: url, token })))).toMatchObject(
      {
        status: 'authenticated',
      },
    )
  })

  it('writes only a hash of the jti, kept for the iat window', async () => {
    const auth = await instance()
    const redis = await connect()
    const jti = 'a-jti-that-must-not-reach-redis-as-sent'
    const used = await proof(client, { htm: 'GET', htu: url, token, claims: { jti } })
    expect(await auth.authenticate(request(used))).toMatchObject({ status: 'authenticated' })
    const keys = await redis.keys('dpop-test:*')
    expect(keys.length).toBeGreaterThan(0)
    expect(keys.join(' ')).not.toContain(jti)
    const ttls = await Promise.all(keys.map((key) => redis.pttl(key)))
    // maxAge 60s plus twice the 5s tolerance.
    for (const ttl of ttls) expect(ttl).toBeGreaterThan(60_000)
    for (const ttl of ttls) expect(ttl).toBeLessThanOrEqual(70_000)
  })

  it('answers 503 store_unavailable while Redis is down, then serves again', async () => {
    const auth = await instance()
    await server.kill()
    const down = await auth.authenticate(request(await proof(client, { htm: 'GET', htu: url, token })))
    expect(down).toMatchObject({ status: 'rejected', error: { code: 'store_unavailable', status: 503 } })
    await server.restart()
    // Reconnects within a bounded number of tries.
    let result = await auth.authenticate(request(await proof(client, { htm: 'GET', htu: url, token })))
    for (let attempt = 0; attempt < 40 && result.status !== 'authenticated'; attempt++) {
      await new Promise((done) => setTimeout(done, 50))
      result = await auth.authenticate(request(await proof(client, { htm: 'GET', htu: url, token })))
    }
    expect(result).toMatchObject({ status: 'authenticated' })
  })
})
