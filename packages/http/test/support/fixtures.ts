import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth, createSessions, memoryStore, type Store } from '@portcullis/core'
import { SignJWT } from 'jose'
import { onTestFinished } from 'vitest'
import { z } from 'zod'

export const issuer = 'https://id.example.com/'
export const audience = 'https://api.example.com'
export const secret = 'a-shared-secret-of-at-least-32-bytes!!'
const key = new TextEncoder().encode(secret)

export const claims = z.object({ sub: z.string(), tenant: z.string().default('acme') })

const seconds = () => Math.floor(Date.now() / 1000)

/** A bearer verifier like an app would make, typed by the `claims` schema. */
export const makeAuth = () => createAuth({ issuer, audience, secret, claims, realm: 'api' })

/** Signs an HS256 token for alice with `read:reports` and the `user` role unless told otherwise. */
export function sign(payload: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({
    iss: issuer,
    aud: audience,
    sub: 'alice',
    iat: seconds(),
    exp: seconds() + 300,
    scope: 'read:reports',
    roles: ['user'],
    tenant: 'acme',
    ...payload,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(key)
}

/** A token that expired ten minutes ago. */
export const expired = () => sign({ iat: seconds() - 1200, exp: seconds() - 600 })

/** A memory store that can be taken down, as a Redis outage would. */
export function flakyStore(): Store & { down: boolean } {
  const inner = memoryStore()
  const store = {
    down: false,
    check() {
      if (store.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379')
    },
    async get(key: string) {
      store.check()
      return inner.get(key)
    },
    async set(key: string, value: string, ttl: number) {
      store.check()
      return inner.set(key, value, ttl)
    },
    async delete(key: string) {
      store.check()
      return inner.delete(key)
    },
    async compareAndSwap(key: string, expected: string | undefined, value: string | undefined, ttl: number) {
      store.check()
      return inner.compareAndSwap(key, expected, value, ttl)
    },
  }
  return store
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.now()) {
  let current = start
  return {
    now: () => current,
    advance(ms: number) {
      current += ms
    },
  }
}

/**
 * Core's cookie sessions (5-minute access cookie, refresh cookie) on a store that can fail, and a
 * browser signed in as alice: `cookie` is its Cookie header.
 */
export async function sessionSetup() {
  const clock = manualClock()
  const store = flakyStore()
  const sessions = createSessions({
    secret: 'a-session-secret-of-at-least-32-bytes',
    issuer: 'https://api.example.com',
    audience: 'https://api.example.com',
    accessTtl: '5m',
    store,
    now: clock.now,
  })
  const auth = createAuth({ sessions })
  const issued = await sessions.issue({ subject: 'alice', scopes: ['read:reports'] })
  const cookie = cookieHeader(issued.setCookie)
  return { clock, store, sessions, auth, cookie, sessionId: issued.sessionId }
}

/** The Cookie header a browser sends after these Set-Cookie lines. */
export function cookieHeader(setCookie: readonly string[]): string {
  return setCookie.map((line) => line.split(';', 1)[0]!).join('; ')
}

/** Cookie names in Set-Cookie lines. */
export const names = (setCookie: readonly string[]) => setCookie.map((line) => line.split('=', 1)[0])

/** Listens on 127.0.0.1, port 0, and closes the server when the test ends. */
export async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(
    () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
