import type { Auth } from '@portcullis/core'
import { authErrorFormatter, createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { initTRPC } from '@trpc/server'
import { z } from 'zod'
import { REPORTS, type Report } from './reports.js'

/**
 * The demo's tRPC router: public, authenticated, scope-guarded and role-guarded procedures.
 *
 * @example
 * const { router, createContext } = createDemoRouter(auth, 'memory')
 */
export function createDemoRouter(auth: Auth, store: 'memory' | 'redis' = 'memory') {
  const createContext = createAuthContext(auth)
  // authErrorFormatter adds core's stable code as `error.data.authCode`, which the demo page shows.
  const t = initTRPC.context<typeof createContext>().create({
    errorFormatter: authErrorFormatter,
    // No stack traces in answers: the page shows them to the user.
    isDev: false,
  })
  const { publicProcedure, protectedProcedure, requireScopes, requireRoles } = createAuthProcedures(t)

  const router = t.router({
    hello: publicProcedure.query(({ ctx }) => `hello, ${ctx.identity?.subject ?? 'anonymous'}`),
    whoami: publicProcedure.query(({ ctx }) =>
      ctx.identity
        ? {
            subject: ctx.identity.subject,
            scopes: ctx.identity.scopes,
            roles: ctx.identity.roles,
            source: ctx.identity.source,
          }
        : null,
    ),
    me: protectedProcedure.query(({ ctx }) => ({
      subject: ctx.identity.subject,
      scopes: ctx.identity.scopes,
      roles: ctx.identity.roles,
      expiresAt: ctx.identity.expiresAt?.toISOString(),
    })),
    reports: t.router({
      list: protectedProcedure.use(requireScopes(['read:reports'])).query((): readonly Report[] => REPORTS),
      create: protectedProcedure
        .use(requireScopes(['write:reports']))
        .input(z.object({ title: z.string().min(1).max(100) }))
        .mutation(
          ({ input, ctx }): Report => ({ id: 'r-new', title: input.title, author: ctx.identity.subject }),
        ),
    }),
    admin: t.router({
      stats: protectedProcedure.use(requireRoles(['admin'])).query(() => ({ users: 2, sessions: store })),
    }),
  })
  return { router, createContext }
}

/** The type of the demo router, for `@trpc/client`. */
export type DemoRouter = ReturnType<typeof createDemoRouter>['router']
