import { createAuth, createSessions } from '@portcullis/core'
import { authErrorFormatter, createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { initTRPC } from '@trpc/server'

/** A clock the test moves by hand, shared by the sessions, the verifier and the context. */
export function manualClock(start = Date.now()) {
  let current = start
  return {
    now: () => current,
    advance: (ms: number) => {
      current += ms
    },
  }
}

/** What a browser keeps: applies every Set-Cookie and drops cleared cookies. */
export function cookieJar() {
  const jar = new Map<string, string>()
  return {
    jar,
    apply(setCookie: readonly string[]) {
      for (const line of setCookie) {
        const [pair] = line.split(';')
        const eq = pair!.indexOf('=')
        const name = pair!.slice(0, eq)
        const value = pair!.slice(eq + 1)
        if (/;\s*Max-Age=0(;|$)/i.test(line) || value === '') jar.delete(name)
        else jar.set(name, value)
      }
    },
    header: () => [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
  }
}

/** An app on core's sessions (5-minute access cookie, refresh cookie), with a signed-in browser. */
export async function createSessionApp() {
  const clock = manualClock()
  const sessions = createSessions({
    secret: 'a-session-secret-of-at-least-32-bytes',
    issuer: 'https://api.example.com',
    audience: 'https://api.example.com',
    accessTtl: '5m',
    now: clock.now,
  })
  const auth = createAuth({ sessions })
  const createContext = createAuthContext(auth, { now: clock.now, recheckInterval: '30ms' })
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: authErrorFormatter })
  const { protectedProcedure, publicProcedure } = createAuthProcedures(t)
  const router = t.router({
    me: protectedProcedure.query(({ ctx }) => ctx.identity.subject),
    search: publicProcedure.query(({ ctx }) => ctx.identity?.subject ?? 'anonymous'),
    ticks: protectedProcedure.subscription(async function* ({ signal }) {
      // Bounded: a test that forgets to stop still ends.
      for (let tick = 0; tick < 400 && !signal?.aborted; tick++) {
        yield tick
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }),
  })
  const browser = cookieJar()
  browser.apply((await sessions.issue({ subject: 'alice' })).setCookie)
  return { router, createContext, clock, sessions, browser }
}

export type SessionRouter = Awaited<ReturnType<typeof createSessionApp>>['router']
