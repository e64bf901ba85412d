import { createAuth, createSessions, type Duration, memoryStore } from '@portcullis/core'
import {
  authErrorFormatter,
  type CreateAuthContextOptions,
  createAuthContext,
  createAuthProcedures,
} from '@portcullis/trpc'
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

/** A memory store that counts its reads. */
function countingStore() {
  const store = memoryStore()
  const reads = { count: 0 }
  return {
    reads,
    store: {
      ...store,
      get: (key: string) => {
        reads.count++
        return store.get(key)
      },
    } satisfies typeof store,
  }
}

/**
 * An app on core's sessions (5-minute access cookie, refresh cookie), with a signed-in browser.
 * `options` replace the context options (re-checks every 30 ms by default).
 */
export async function createSessionApp(
  options: {
    recheckInterval: Duration | false
    connectionParams?: CreateAuthContextOptions<never, unknown, unknown>['connectionParams']
  } = { recheckInterval: '30ms' },
) {
  const clock = manualClock()
  const { store, reads } = countingStore()
  const sessions = createSessions({
    store,
    secret: 'a-session-secret-of-at-least-32-bytes',
    issuer: 'https://api.example.com',
    audience: 'https://api.example.com',
    accessTtl: '5m',
    now: clock.now,
  })
  const auth = createAuth({ sessions })
  const createContext = createAuthContext(auth, { now: clock.now, ...options })
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: authErrorFormatter })
  const { protectedProcedure, publicProcedure, renewToken } = createAuthProcedures(t)
  const router = t.router({
    renewToken,
    me: protectedProcedure.query(({ ctx }) => ctx.identity.subject),
    publish: protectedProcedure.mutation(({ ctx }) => `published by ${ctx.identity.subject}`),
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
  return { router, createContext, clock, sessions, browser, reads }
}

export type SessionRouter = Awaited<ReturnType<typeof createSessionApp>>['router']
