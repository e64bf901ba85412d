import { type AuthMeta, createAuthContext, createAuthProcedures } from '@portcullis/trpc'
import { initTRPC } from '@trpc/server'
import { benchAuth } from './ours.js'
import type { ServerKeys } from './peers.js'

/** A tRPC router with its context factory, for the fetch adapter. */
export interface TrpcSetup {
  readonly name: string
  readonly role: 'bare' | 'control' | 'floor' | 'ours'
  // biome-ignore lint/suspicious/noExplicitAny: routers of different contexts side by side
  readonly router: any
  readonly createContext: (opts: { req: Request }) => unknown
}

function bare(name: string, role: 'bare' | 'control'): TrpcSetup {
  const t = initTRPC.create()
  return {
    name,
    role,
    router: t.router({ me: t.procedure.query(() => 'anonymous') }),
    createContext: () => ({}),
  }
}

/**
 * tRPC bare (twice: the A/A control), the floor (an async context and a pass-through middleware)
 * and `@portcullis/trpc`, as section 2's servers are, for the fetch adapter in-process.
 */
export async function trpcRouters(keys: ServerKeys): Promise<TrpcSetup[]> {
  const floorContext = async () => ({ user: { sub: 'alice' } })
  const floor = initTRPC.context<typeof floorContext>().create()
  const passThrough = floor.procedure.use(({ ctx, next }) => next({ ctx: { user: ctx.user } }))

  const createContext = createAuthContext(benchAuth(keys))
  const t = initTRPC.context<typeof createContext>().meta<AuthMeta>().create()
  const { protectedProcedure } = createAuthProcedures(t)
  return [
    bare('tRPC bare', 'bare'),
    bare('tRPC bare (A/A)', 'control'),
    {
      name: 'tRPC + empty middleware (floor)',
      role: 'floor',
      router: floor.router({ me: passThrough.query(({ ctx }) => ctx.user.sub) }),
      createContext: floorContext,
    },
    {
      name: 'tRPC + @portcullis/trpc',
      role: 'ours',
      router: t.router({ me: protectedProcedure.query(({ ctx }) => ctx.identity.subject) }),
      createContext,
    },
  ]
}
