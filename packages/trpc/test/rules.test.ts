import type { Identity, RuleEntry, RuleRequirement } from '@portcullis/core'
import { type AuthContext, type AuthMeta, createAuthProcedures, describeRules } from '@portcullis/trpc'
import { initTRPC, lazy, TRPCError } from '@trpc/server'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'

type From = RuleRequirement['origin']['from']
const rule = (from: From, scopes: string[] = [], roles: string[] = [], mode: 'all' | 'any' = 'all') => ({
  scopes,
  roles,
  mode,
  origin: { from },
})
const IDENTITY = rule('procedure')

// Every rule shape the adapter's own tests declare (support/router.ts, the issue 12 regression,
// procedures.test.ts), plus the shapes a reviewer must not misread: meta without an auth
// procedure, a custom middleware, tRPC's own input parser, and defaultMeta.
function createApp() {
  const t = initTRPC
    .context<AuthContext>()
    .meta<AuthMeta>()
    .create({ defaultMeta: { auth: { scopes: ['base'] } } })
  const { publicProcedure, protectedProcedure, requireScopes, requireRoles } = createAuthProcedures(t)
  const adminProcedure = protectedProcedure.meta({ auth: { roles: ['admin'] } })
  const u = initTRPC.context<AuthContext>().meta<AuthMeta>().create()
  const open = createAuthProcedures(u)
  const rateLimit = u.middleware(function rateLimit({ next }) {
    return next()
  })
  const router = u.router({
    me: open.protectedProcedure.query(() => 'me'),
    reports: open.protectedProcedure.use(open.requireScopes(['read:reports'])).query(() => []),
    admin: open.protectedProcedure.use(open.requireRoles(['admin'])).mutation(() => 'done'),
    audit: open.publicProcedure
      .meta({ auth: { roles: ['auditor', 'admin'], mode: 'any' } })
      .query(() => 'log'),
    search: open.publicProcedure.query(() => 'anonymous'),
    ticks: open.protectedProcedure.subscription(async function* () {
      yield 1
    }),
    both: open.publicProcedure
      .use(open.requireScopes(['a']))
      .use(open.requireRoles(['b'], { mode: 'any' }))
      .query(() => 'both'),
    layered: t.router({
      adminRead: adminProcedure.meta({ auth: { scopes: ['read'] } }).query(() => 'admin data'),
      adminEither: adminProcedure.meta({ auth: { scopes: ['a', 'b'], mode: 'any' } }).query(() => 'e'),
      combined: publicProcedure
        .meta({ auth: { roles: ['auditor'] } })
        .concat(t.procedure.meta({ auth: { scopes: ['audit'] } }))
        .query(() => 'combined'),
      guarded: adminProcedure
        .use(requireScopes(['write']))
        .meta({ auth: { scopes: ['read'] } })
        .input(z.object({ id: z.string() }))
        .mutation(() => 'ok'),
      fromDefault: publicProcedure.query(() => 'default'),
      roles: publicProcedure.use(requireRoles(['x', 'y'])).query(() => 'roles'),
    }),
    // Not enforced: no auth procedure reads this meta at run time.
    declaredOnly: u.procedure.meta({ auth: { roles: ['admin'] } }).mutation(() => 'open'),
    rateLimited: u.procedure.use(rateLimit).mutation(() => 'limited'),
    rateLimitedMe: open.protectedProcedure.use(rateLimit).query(() => 'limited me'),
    inline: u.procedure.use(({ next }) => next()).query(() => 'inline'),
  })
  return router
}

const entry = (
  path: string,
  kind: RuleEntry['kind'],
  requirements: RuleEntry['requirements'],
  custom: string[] = [],
): RuleEntry => ({
  path,
  kind,
  access: requirements.some((item) => item.scopes.length + item.roles.length > 0)
    ? 'restricted'
    : requirements.length > 0
      ? 'authenticated'
      : custom.length > 0
        ? 'custom'
        : 'public',
  requirements,
  custom,
  atResolve: false,
})

describe('describeRules(router)', () => {
  it('states every procedure’s effective requirement and where each part came from', () => {
    expect(describeRules(createApp())).toEqual({
      version: 1,
      adapter: 'trpc',
      entries: [
        entry('admin', 'mutation', [IDENTITY, rule('middleware', [], ['admin'])]),
        entry('audit', 'query', [rule('meta'), rule('meta', [], ['auditor', 'admin'], 'any')]),
        entry('both', 'query', [rule('middleware', ['a']), rule('middleware', [], ['b'], 'any')]),
        entry('declaredOnly', 'mutation', []),
        entry('inline', 'query', [], ['anonymous']),
        entry('layered.adminEither', 'query', [
          IDENTITY,
          rule('meta', ['base']),
          rule('meta', [], ['admin']),
          rule('meta', ['a', 'b'], [], 'any'),
        ]),
        entry('layered.adminRead', 'query', [
          IDENTITY,
          rule('meta', ['base']),
          rule('meta', [], ['admin']),
          rule('meta', ['read']),
        ]),
        entry('layered.combined', 'query', [
          rule('meta'),
          rule('meta', ['base']),
          rule('meta', [], ['auditor']),
          rule('meta', ['audit']),
        ]),
        entry('layered.fromDefault', 'query', [rule('meta'), rule('meta', ['base'])]),
        entry('layered.guarded', 'mutation', [
          IDENTITY,
          rule('meta', ['base']),
          rule('meta', [], ['admin']),
          rule('meta', ['read']),
          rule('middleware', ['write']),
        ]),
        entry('layered.roles', 'query', [
          rule('meta'),
          rule('meta', ['base']),
          rule('middleware', [], ['x', 'y']),
        ]),
        entry('me', 'query', [IDENTITY]),
        entry('rateLimited', 'mutation', [], ['rateLimit']),
        entry('rateLimitedMe', 'query', [IDENTITY], ['rateLimit']),
        entry('reports', 'query', [IDENTITY, rule('middleware', ['read:reports'])]),
        entry('search', 'query', []),
        entry('ticks', 'subscription', [IDENTITY]),
      ],
    })
  })

  it('runs no middleware and no resolver', () => {
    let ran = 0
    const t = initTRPC.context<AuthContext>().create()
    const spy = t.middleware(({ next }) => {
      ran++
      return next()
    })
    describeRules(
      t.router({
        a: t.procedure.use(spy).query(() => {
          ran++
          return 1
        }),
      }),
    )
    expect(ran).toBe(0)
  })

  it('refuses what is not a router, and lazy routers it cannot see into', () => {
    expect(() => describeRules({})).toThrow(
      new TypeError('describeRules: expected a tRPC router (from t.router)'),
    )
    const t = initTRPC.context<AuthContext>().create()
    const router = t.router({
      later: lazy(async () => t.router({ x: t.procedure.query(() => 1) })),
    })
    expect(() => describeRules(router)).toThrow('lazy routers are not loaded yet (later)')
  })
})

const identityWith = (scopes: readonly string[], roles: readonly string[]): Identity =>
  ({ subject: 'u', scopes, roles, audience: [], claims: {}, payload: {}, source: 'bearer' }) as never

/** An identity holding exactly what the requirements list: all, or the first of each `any` list. */
function satisfying(requirements: readonly RuleRequirement[]): Identity {
  const pick = (list: readonly string[], mode: string) => (mode === 'any' ? list.slice(0, 1) : list)
  return identityWith(
    requirements.flatMap((item) => pick(item.scopes, item.mode)),
    requirements.flatMap((item) => pick(item.roles, item.mode)),
  )
}

async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call()
    return 'ok'
  } catch (error) {
    return error instanceof TRPCError ? error.code : 'other'
  }
}

describe('describeRules agrees with the runtime', () => {
  const router = createApp()
  const entries = describeRules(router).entries.filter(
    (item) => item.kind !== 'subscription' && item.custom.length === 0,
  )
  const input = (path: string) => (path === 'layered.guarded' ? { id: '1' } : undefined)
  const call = (ctx: AuthContext, path: string) => () => {
    const caller = router.createCaller(ctx) as unknown as Record<string, unknown>
    const fn = path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], caller)
    return (fn as (input: unknown) => Promise<unknown>)(input(path))
  }

  it.each(entries.map((item) => [item.path, item] as const))(
    '%s: allowed as described',
    async (path, item) => {
      expect(await outcome(call({ identity: satisfying(item.requirements) }, path))).toBe('ok')
    },
  )

  it.each(entries.filter((item) => item.access !== 'public').map((item) => [item.path, item] as const))(
    '%s: refused without an identity, and without each listed scope or role',
    async (path, item) => {
      expect(await outcome(call({ identity: null }, path))).toBe('UNAUTHORIZED')
      for (const [index, requirement] of item.requirements.entries()) {
        if (requirement.scopes.length + requirement.roles.length === 0) continue
        const others = item.requirements.filter((_, at) => at !== index)
        const held = satisfying(others)
        expect(await outcome(call({ identity: held }, path)), JSON.stringify(requirement)).toBe('FORBIDDEN')
      }
    },
  )
})

describe('the README example', () => {
  it('describes the quick start’s audit procedure as the README shows', () => {
    // The quick start's router (test/readme.test.ts), rules as written there.
    const t = initTRPC.context<AuthContext>().meta<AuthMeta>().create()
    const { publicProcedure, protectedProcedure, requireScopes, requireRoles } = createAuthProcedures(t)
    const appRouter = t.router({
      me: protectedProcedure.query(({ ctx }) => ctx.identity.subject),
      reports: protectedProcedure.use(requireScopes(['read:reports'])).query(() => ['q1', 'q2']),
      admin: protectedProcedure.use(requireRoles(['admin'])).mutation(() => 'done'),
      audit: protectedProcedure.meta({ auth: { roles: ['auditor', 'admin'], mode: 'any' } }).query(() => []),
      search: publicProcedure.query(({ ctx }) => ctx.identity?.subject ?? 'anonymous'),
    })
    const rules = describeRules(appRouter)
    expect(rules.entries.find((entry) => entry.path === 'audit')).toEqual({
      path: 'audit',
      kind: 'query',
      access: 'restricted',
      custom: [],
      atResolve: false,
      requirements: [
        { scopes: [], roles: [], mode: 'all', origin: { from: 'procedure' } },
        { scopes: [], roles: ['auditor', 'admin'], mode: 'any', origin: { from: 'meta' } },
      ],
    })
  })
})
