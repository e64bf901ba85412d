import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { type RedisServer, startRedis } from '../../../packages/core/test/support/redis-server.js'
import { createDemoServer } from '../src/server.js'

let redis: RedisServer
let dir: string

beforeAll(async () => {
  ;[redis, dir] = await Promise.all([startRedis(), mkdtemp(join(tmpdir(), 'portcullis-demo-'))])
})

afterAll(async () => {
  await redis?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}

/** Logs in through the login form and returns the session cookies as a Cookie header. */
async function logIn(url: string, user: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    body: new URLSearchParams({ user }),
    redirect: 'manual',
  })
  expect(response.status).toBe(303)
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ')
}

const me = (url: string, cookie: string) => fetch(`${url}/trpc/me`, { headers: { cookie } })

describe('the demo with REDIS_URL', () => {
  it('keeps sessions in Redis: they survive a restart, and a logout holds on every instance', async () => {
    const options = {
      port: await freePort(),
      keyFile: join(dir, 'dev-keys.json'),
      redisUrl: `redis://127.0.0.1:${redis.port}`,
    }
    const first = await createDemoServer(options)
    const cookie = await logIn(first.url, 'bob')
    expect((await me(first.url, cookie)).status).toBe(200)
    await first.close()

    const second = await createDemoServer(options)
    onTestFinished(() => second.close())
    const again = await me(second.url, cookie)
    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ result: { data: { subject: 'bob' } } })

    const logout = await fetch(`${second.url}/logout`, {
      method: 'POST',
      headers: { cookie },
      redirect: 'manual',
    })
    expect(logout.status).toBe(303)
    // The old cookies, replayed after logout, are refused: the session is gone from Redis.
    const replayed = await me(second.url, cookie)
    expect(replayed.status).toBe(401)
    expect(await replayed.json()).toMatchObject({
      error: { data: { code: 'UNAUTHORIZED', authCode: 'revoked' } },
    })
  })

  it('refuses to start when Redis cannot be reached, naming REDIS_URL', async () => {
    await expect(createDemoServer({ port: 0, redisUrl: 'redis://127.0.0.1:1' })).rejects.toThrow(
      /cannot reach Redis at REDIS_URL/,
    )
  })
})
