import { createAuth, createSessions, memoryStore, type Store } from '@portcullis/core'

/** A clock tests move by hand; it starts at the real time, so real timers and it agree at first. */
export function manualClock() {
  let current = Date.now()
  return {
    now: () => current,
    advance(ms: number) {
      current += ms
    },
  }
}

/** What a browser sends back after these `Set-Cookie` values (cleared cookies dropped). */
export function cookieHeader(setCookie: readonly string[], jar = new Map<string, string>()): string {
  for (const line of setCookie) {
    const pair = line.split(';', 1)[0]!
    const eq = pair.indexOf('=')
    const value = pair.slice(eq + 1)
    if (value === '' || /;\s*Max-Age=0(;|$)/i.test(line)) jar.delete(pair.slice(0, eq))
    else jar.set(pair.slice(0, eq), value)
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
}

/**
 * Real core sessions (1 minute access tokens, an in-memory store) on a clock the test moves.
 * `store.down` makes the store fail; `store.rotations` counts refresh-token rotations.
 */
export function createSessionAuth() {
  const clock = manualClock()
  const memory = memoryStore()
  const store = {
    down: false as boolean,
    rotations: 0,
    async get(key) {
      if (store.down) throw new Error('store is down')
      return memory.get(key)
    },
    set: (key, value, ttl) => memory.set(key, value, ttl),
    delete: (key) => memory.delete(key),
    compareAndSwap(key, expected, value, ttl) {
      if (key.startsWith('s:')) store.rotations++
      return memory.compareAndSwap(key, expected, value, ttl)
    },
  } satisfies Store & { down: boolean; rotations: number }
  const sessions = createSessions({
    secret: 'a-session-secret-of-at-least-32-bytes',
    issuer: 'https://api.example.com',
    audience: 'https://api.example.com',
    accessTtl: '1m',
    store,
    // Plain http on loopback: no `__Host-` prefix, no `Secure`.
    cookie: { name: 'session', secure: false },
    now: clock.now,
  })
  const auth = createAuth({ sessions })
  /** Signs alice in: the session, and the Cookie header her browser now sends. */
  async function signIn(scopes: readonly string[] = ['read:reports']) {
    const issued = await sessions.issue({ subject: 'alice', scopes })
    return { sessionId: issued.sessionId, cookie: cookieHeader(issued.setCookie) }
  }
  return { clock, store, sessions, auth, signIn }
}
