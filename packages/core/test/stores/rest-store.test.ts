import { once } from 'node:events'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth, createSessions, type Store } from '@portcullis/core'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, startRedis } from '../support/redis-server.js'
import { withCookies } from '../support/sessions.js'

const issuer = 'https://api.example.com'
const audience = 'https://api.example.com'
const secret = 'a-session-secret-of-at-least-32-bytes'
const token = 'rest-token-for-the-test'

// The README's REST store, as pasted.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const code = readme.split('### Recipe: your own store')[1]!.match(/```ts\n([\s\S]*?)```/)![1]!
const dir = new URL('./.rest-store-tmp/', import.meta.url)

describe('the README REST store (a custom Store over fetch)', () => {
  let redis: RedisServer
  let client: Redis
  let url: string
  let restStore: (url: string, token: string, prefix?: string) => Store
  let failing = false
  const server = createServer(async (request, response) => {
    // A REST front for Redis, like a hosted one: bearer token, one JSON command per POST.
    let body = ''
    for await (const chunk of request) body += chunk
    response.setHeader('content-type', 'application/json')
    if (request.headers.authorization !== `Bearer ${token}`) return response.writeHead(401).end('{}')
    if (failing) return response.writeHead(502).end('{"error":"upstream"}')
    try {
      const [name, ...args] = JSON.parse(body) as string[]
      response.end(JSON.stringify({ result: await client.call(name!, ...args) }))
    } catch (error) {
      response.writeHead(400).end(JSON.stringify({ error: (error as Error).message }))
    }
  })

  beforeAll(async () => {
    redis = await startRedis()
    client = new Redis({ host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: 1 })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    mkdirSync(dir, { recursive: true })
    const file = new URL('rest-store.ts', dir)
    writeFileSync(file, code)
    ;({ restStore } = await import(/* @vite-ignore */ file.href))
  })
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true })
    server.closeAllConnections()
    await new Promise((done) => server.close(done))
    client.disconnect()
    await redis.stop()
  })

  it('keeps values with a TTL and swaps them atomically, as the Store contract says', async () => {
    const store = restStore(url, token, `t${Math.random()}:`)
    expect(await store.get('a')).toBeUndefined()
    await store.set('a', 'one', 60)
    expect(await store.get('a')).toBe('one')
    expect(await store.compareAndSwap('a', 'other', 'two', 60)).toBe(false)
    expect(await store.compareAndSwap('a', 'one', 'two', 60)).toBe(true)
    expect(await store.compareAndSwap('b', undefined, 'new', 60)).toBe(true)
    expect(await store.compareAndSwap('b', undefined, 'again', 60)).toBe(false)
    // Ten swaps from the same expected value: exactly one wins.
    const wins = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.compareAndSwap('a', 'two', `x${i}`, 60)),
    )
    expect(wins.filter(Boolean)).toHaveLength(1)
    await store.delete('a')
    expect(await store.get('a')).toBeUndefined()
    await store.set('c', 'gone', 0.001)
    await new Promise((done) => setTimeout(done, 20))
    expect(await store.get('c')).toBeUndefined()
  })

  it('carries sessions: issue, authenticate, refresh, revoke', async () => {
    const sessions = createSessions({
      secret,
      issuer,
      audience,
      store: restStore(url, token),
      refreshGrace: 0,
    })
    const auth = createAuth({ sessions })
    const issued = await sessions.issue({ subject: 'alice' })
    expect(await auth.authenticate(withCookies(issued.setCookie))).toMatchObject({ status: 'authenticated' })
    const refreshed = await sessions.refresh(issued.refreshToken)
    await expect(sessions.refresh(issued.refreshToken)).rejects.toMatchObject({
      code: 'refresh_reused',
      status: 401,
    })
    await expect(auth.verify(refreshed.accessToken)).rejects.toMatchObject({ code: 'revoked', status: 401 })
  })

  it('turns an endpoint outage or a wrong token into a 503, never a 401 or a leak', async () => {
    const sessions = createSessions({ secret, issuer, audience, store: restStore(url, token) })
    const issued = await sessions.issue({ subject: 'alice' })
    failing = true
    try {
      const result = await createAuth({ sessions }).authenticate(withCookies(issued.setCookie))
      expect(result).toMatchObject({ status: 'rejected', error: { code: 'store_unavailable', status: 503 } })
    } finally {
      failing = false
    }
    const wrong = createSessions({ secret, issuer, audience, store: restStore(url, 'wrong') })
    const error = await wrong.issue({ subject: 'alice' }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'store_unavailable', status: 503 })
    expect(JSON.stringify(error) + String((error as Error).cause)).not.toContain('wrong')
  })
})
