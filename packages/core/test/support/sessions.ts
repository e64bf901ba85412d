import { createSessions, memoryStore, type SessionsOptions } from '@portcullis/core'

/** A clock tests move by hand: pass `clock.now` as the `now` option. */
export function manualClock(start = 1_700_000_000_000) {
  let current = start
  return {
    now: () => current,
    advance(ms: number) {
      current += ms
    },
  }
}

/** What a browser would send back after these `Set-Cookie` values (cleared cookies dropped). */
export function cookieHeader(setCookie: readonly string[], jar: Map<string, string> = new Map()): string {
  for (const line of setCookie) {
    const [pair] = line.split(';')
    const eq = pair!.indexOf('=')
    const name = pair!.slice(0, eq)
    const value = pair!.slice(eq + 1)
    if (/;\s*Max-Age=0(;|$)/.test(line) || value === '') jar.delete(name)
    else jar.set(name, value)
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
}

/** A request carrying these cookies. */
export const withCookies = (setCookie: readonly string[]) => ({ cookie: cookieHeader(setCookie) })

/** Sessions on a memory store for tests: one secret, the API as issuer and audience, `clock` as time. */
export function testSessions(clock: { now: () => number }, options: Partial<SessionsOptions> = {}) {
  const store = memoryStore({ now: clock.now })
  const sessions = createSessions({
    secret: 'a-session-secret-of-at-least-32-bytes',
    issuer: 'https://api.example.com',
    audience: 'https://api.example.com',
    store,
    now: clock.now,
    ...options,
  } as SessionsOptions)
  return { store, sessions }
}
