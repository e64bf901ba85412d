import type { Auth } from '@portcullis/core'
import { type AuthMeta, authErrorFormatter, createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { initTRPC } from '@trpc/server'
import type { makeAuth } from './fixtures.js'

type AppAuth = ReturnType<typeof makeAuth>

/** The router of the README quick start, plus a declared requirement and a subscription. */
export function createApp(auth: AppAuth, options: Parameters<typeof createAuthContext>[1] = {}) {
  const createContext = createAuthContext(auth as AppAuth, {
    ...(options as object),
    context: () => ({ db: 'the-db' as const }),
  })
  const t = initTRPC.context<typeof createContext>().meta<AuthMeta>().create({
    errorFormatter: authErrorFormatter,
  })
  const { publicProcedure, protectedProcedure, requireScopes, requireRoles } = createAuthProcedures(t)

  /** How many `ticks` sources have stopped (their `finally` ran). */
  const sources = { stopped: 0 }
  const router = t.router({
    me: protectedProcedure.query(({ ctx }) => ({
      subject: ctx.identity.subject,
      tenant: ctx.identity.claims.tenant,
      db: ctx.db,
    })),
    reports: protectedProcedure.use(requireScopes(['read:reports'])).query(() => ['q1', 'q2']),
    admin: protectedProcedure.use(requireRoles(['admin'])).mutation(() => 'done'),
    audit: publicProcedure.meta({ auth: { roles: ['auditor', 'admin'], mode: 'any' } }).query(() => 'log'),
    search: publicProcedure.query(({ ctx }) => ctx.identity?.subject ?? 'anonymous'),
    ticks: protectedProcedure.subscription(async function* ({ ctx, signal }) {
      // Bounded: a test that forgets to stop still ends.
      try {
        for (let tick = 0; tick < 400 && !signal?.aborted; tick++) {
          yield `${ctx.identity.subject}:${tick}`
          await new Promise((resolve) => setTimeout(resolve, 25))
        }
      } finally {
        sources.stopped++
      }
    }),
  })
  return { router, createContext, t, sources }
}

export type App = ReturnType<typeof createApp>
export type AppRouter = App['router']
export type { Auth }
