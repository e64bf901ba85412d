import type { Identity } from '@portcullis/core'
import {
  type AuthContext,
  type AuthMeta,
  authErrorFormatter,
  createAuthContext,
  createAuthProcedures,
} from '@portcullis/trpc'
import { initTRPC } from '@trpc/server'
import type { FetchCreateContextFnOptions } from '@trpc/server/adapters/fetch'
import type { CreateHTTPContextOptions } from '@trpc/server/adapters/standalone'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { z } from 'zod'
import { type claims, makeAuth, sign } from './support/fixtures.js'

// These assertions are checked by `pnpm typecheck`; a type that drifts fails the build.
type Claims = z.output<typeof claims>

const auth = makeAuth()
const createContext = createAuthContext(auth, {
  context: (opts: CreateHTTPContextOptions & { identity: Identity<Claims> | null }) => ({
    db: { url: 'postgres://' },
    path: opts.req.url,
    tenant: opts.identity?.claims.tenant,
  }),
})
const t = initTRPC
  .context<typeof createContext>()
  .meta<AuthMeta>()
  .create({ errorFormatter: authErrorFormatter })
const { publicProcedure, protectedProcedure, requireScopes, requireRoles } = createAuthProcedures(t)

describe('context types', () => {
  it("infers the adapter's options from an annotated context factory", () => {
    const fetchContext = createAuthContext(auth, {
      context: ({ resHeaders }: FetchCreateContextFnOptions) => ({ resHeaders }),
    })
    expectTypeOf<Parameters<typeof fetchContext>[0]>().toEqualTypeOf<FetchCreateContextFnOptions>()
    expectTypeOf<Awaited<ReturnType<typeof fetchContext>>>().toEqualTypeOf<
      Omit<{ resHeaders: Headers }, 'identity'> & AuthContext<Claims>
    >()
  })

  it('keeps identity nullable on publicProcedure and merges the user context', () => {
    publicProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.identity).toEqualTypeOf<Identity<Claims> | null>()
      expectTypeOf(ctx.db).toEqualTypeOf<{ url: string }>()
      expectTypeOf(ctx.tenant).toEqualTypeOf<string | undefined>()
      // @ts-expect-error identity may be null on a public procedure
      return ctx.identity.subject
    })
    expect(typeof createContext).toBe('function')
  })

  it('makes identity non-null after protectedProcedure, with the zod schema type as claims', () => {
    protectedProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.identity).toEqualTypeOf<Identity<Claims>>()
      expectTypeOf(ctx.identity.claims).toEqualTypeOf<{ sub: string; tenant: string }>()
      expectTypeOf(ctx.db).toEqualTypeOf<{ url: string }>()
      return ctx.identity.subject
    })
  })

  it('keeps identity non-null through requireScopes and requireRoles, on either procedure', () => {
    protectedProcedure
      .use(requireScopes(['a']))
      .use(requireRoles(['b'], { mode: 'any' }))
      .query(({ ctx }) => {
        expectTypeOf(ctx.identity).toEqualTypeOf<Identity<Claims>>()
      })
    publicProcedure.use(requireScopes(['a'])).query(({ ctx }) => {
      expectTypeOf(ctx.identity).toEqualTypeOf<Identity<Claims>>()
    })
  })

  it('accepts auth requirements in meta and types error data with authCode', async () => {
    const router = t.router({
      reports: protectedProcedure.meta({ auth: { scopes: ['read:reports'], mode: 'all' } }).query(() => 1),
    })
    // @ts-expect-error meta.auth.mode is 'all' or 'any'
    expect(() => protectedProcedure.meta({ auth: { mode: 'some' } })).toThrow(TypeError)
    const caller = t.createCallerFactory(router)
    const token = await sign({ scope: '' })
    const ctx = await createContext({
      req: { headers: { authorization: `Bearer ${token}` } },
      res: undefined,
      info: undefined,
    } as never)
    await expect(caller(ctx).reports()).rejects.toMatchObject({
      code: 'FORBIDDEN',
      cause: { code: 'insufficient_scope', status: 403 },
    })
    type Shape = ReturnType<typeof authErrorFormatter>
    expectTypeOf<Shape['data']['authCode']>().toEqualTypeOf<import('@portcullis/core').AuthErrorCode | null>()
  })
})
