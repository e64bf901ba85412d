import {
  AuthError,
  hasRoles as hasRolesOf,
  hasScopes as hasScopesOf,
  type Identity,
  isAuthError,
  type MatchOptions,
  requireRoles as requireRolesOf,
  requireScopes as requireScopesOf,
} from '@portcullis/core'
import type {
  TRPCMiddlewareBuilder,
  TRPCMiddlewareFunction,
  TRPCMutationProcedure,
  TRPCProcedureBuilder,
  TRPCRootObject,
  TRPCRuntimeConfigOptions,
  TRPCUnsetMarker,
} from '@trpc/server'
import { type AuthContext, type AuthState, stateOf } from './context.js'
import { toTRPCError, withRealm } from './errors.js'
import { mark } from './marks.js'
import { type AuthRequirements, layered, requirementsOf } from './meta.js'
import { parseRenewInput, type RenewTokenInput, type RenewTokenOutput, renewConnection } from './renewal.js'
import { guardSubscription, type SubscriptionCheck } from './subscriptions.js'

type ClaimsOfContext<TContext> = TContext extends { identity: Identity<infer C> | null } ? C : never
type Authed<TContext> = { identity: Identity<ClaimsOfContext<TContext>> }
type ErrorShapeOf<T> =
  T extends TRPCProcedureBuilder<
    object,
    object,
    object,
    TRPCUnsetMarker,
    TRPCUnsetMarker,
    TRPCUnsetMarker,
    TRPCUnsetMarker,
    false,
    infer Shape
  >
    ? Shape
    : unknown

/**
 * What {@link createAuthProcedures} returns.
 *
 * @example
 * const { publicProcedure, protectedProcedure, requireScopes, requireRoles }: AuthProcedures<Ctx, Meta, Opts> =
 *   createAuthProcedures(t)
 */
export interface AuthProcedures<
  TContext extends AuthContext<unknown>,
  TMeta extends object,
  TOptions extends TRPCRuntimeConfigOptions<TContext, TMeta>,
> {
  /** Open to anyone; `ctx.identity` is `Identity | null`. A broken token still gets `UNAUTHORIZED`. */
  publicProcedure: TRPCRootObject<TContext, TMeta, TOptions>['procedure']
  /** Requires an identity (`UNAUTHORIZED` otherwise); `ctx.identity` is `Identity` from here on. */
  protectedProcedure: TRPCProcedureBuilder<
    TContext,
    TMeta,
    Authed<TContext>,
    TRPCUnsetMarker,
    TRPCUnsetMarker,
    TRPCUnsetMarker,
    TRPCUnsetMarker,
    false,
    ErrorShapeOf<TRPCRootObject<TContext, TMeta, TOptions>['procedure']>
  >
  /** A middleware that answers `FORBIDDEN` (`insufficient_scope`) unless the token holds the scopes. */
  requireScopes(
    scopes: readonly string[],
    options?: MatchOptions,
  ): TRPCMiddlewareBuilder<TContext, TMeta, Authed<TContext>, unknown>
  /** A middleware that answers `FORBIDDEN` (`forbidden`) unless the token holds the roles. */
  requireRoles(
    roles: readonly string[],
    options?: MatchOptions,
  ): TRPCMiddlewareBuilder<TContext, TMeta, Authed<TContext>, unknown>
  /**
   * A mutation to mount in your router: sent on an open WebSocket with a new token (`{ token }`),
   * it renews the connection without reconnecting (same subject and issuer, or the socket closes
   * with 4403). See `renewTokenBeforeExpiry` for the client side.
   */
  renewToken: TRPCMutationProcedure<{ meta: TMeta; input: RenewTokenInput; output: RenewTokenOutput }>
}

type AnyMiddlewareOpts = Parameters<
  TRPCMiddlewareFunction<AuthContext<unknown>, unknown, object, object, unknown>
>[0]

/** Reports an `AuthError` as a `TRPCError`, sending its challenge on the HTTP response. */
function fail(state: AuthState | undefined, error: AuthError): never {
  const final = withRealm(error, state?.realm)
  state?.challenge(final)
  throw toTRPCError(final)
}

function runCheck(state: AuthState | undefined, check: () => void): void {
  try {
    check()
  } catch (error) {
    if (isAuthError(error)) fail(state, error)
    throw error
  }
}

/** The identity a call may use: none, or one whose token has not expired since the context was made. */
function currentIdentity(ctx: AuthContext<unknown>, state: AuthState | undefined): Identity<unknown> | null {
  if (state?.rejection) fail(state, state.rejection)
  const identity = ctx.identity ?? null
  const expiresAt = identity?.expiresAt?.getTime()
  // A WebSocket context lives as long as the connection; its token may expire in between. An HTTP
  // context was verified for this very request, within core's clock tolerance: not re-judged here.
  if (
    (state?.longLived ?? true) &&
    expiresAt !== undefined &&
    expiresAt <= (state?.options.now ?? Date.now)()
  )
    fail(state, new AuthError('token_expired', 'token has expired'))
  return identity
}

// Marks a call whose long-lived credentials were verified again by an earlier middleware of its
// chain, so `protectedProcedure.use(requireScopes(...))` reads the session store once per call.
// Not Symbol.for: nothing outside this module (an app's own context factory) can set it.
const VERIFIED: unique symbol = Symbol('portcullis.trpc.verified') as never

/**
 * Whether this call must verify its credentials again before it runs: a context that outlives a
 * request (a WebSocket connection, a caller context kept around) does so at each call (a cache hit
 * for a bearer token, one store read for a session), so a revoked session stops at its next call as
 * it does over HTTP. Once per call: a middleware that did it marks the call for the next ones.
 */
function mustReverify(
  ctx: AuthContext<unknown>,
  state: AuthState | undefined,
  identity: Identity<unknown> | null,
): state is AuthState {
  return identity !== null && state?.longLived === true && !(ctx as { [VERIFIED]?: true })[VERIFIED]
}

function reverify(state: AuthState): void | Promise<void> {
  const verdict = state.verifyAgain()
  if (verdict instanceof Promise)
    return verdict.then((error) => {
      if (error) fail(state, error)
    })
  if (verdict) fail(state, verdict)
}

const MARK = { [VERIFIED]: true } as const

// The checks a socket's subscription passed, collected along its chain so that a renewal judges
// them again (see subscriptions.ts). Not Symbol.for, as VERIFIED.
const CHECKS: unique symbol = Symbol('portcullis.trpc.checks') as never

function checksOf(ctx: object): SubscriptionCheck[] | undefined {
  return (ctx as { [CHECKS]?: SubscriptionCheck[] })[CHECKS]
}

function ruleChecks(rules: readonly AuthRequirements[]): SubscriptionCheck[] {
  const checks: SubscriptionCheck[] = []
  for (const rule of rules) {
    if (rule.scopes) checks.push((identity) => requireScopesOf(identity, rule.scopes!, { mode: rule.mode }))
    if (rule.roles) checks.push((identity) => requireRolesOf(identity, rule.roles!, { mode: rule.mode }))
  }
  return checks
}

/** Every requirement of the call holds (identity, then each declaration under its own mode), or it throws. */
function admit(
  state: AuthState | undefined,
  rules: readonly AuthRequirements[],
  identity: Identity<unknown> | null,
  required: boolean,
): asserts identity is Identity<unknown> {
  if (!required && rules.length === 0) return
  if (!identity) fail(state, new AuthError('token_missing', 'authentication is required'))
  // Decided by has* (the rule itself is the options: it holds `mode`); require* makes the refusal.
  for (const rule of rules) {
    const { scopes, roles } = rule
    if (scopes && !hasScopesOf(identity, scopes, rule))
      runCheck(state, () => requireScopesOf(identity, scopes, { mode: rule.mode }))
    if (roles && !hasRolesOf(identity, roles, rule))
      runCheck(state, () => requireRolesOf(identity, roles, { mode: rule.mode }))
  }
}

type CallResult = Awaited<ReturnType<AnyMiddlewareOpts['next']>>

/** A failed call whose cause is an `AuthError` thrown by a resolver (core's requireScopes, say) keeps its meaning. */
function translated(result: CallResult, state: AuthState | undefined): CallResult {
  if (result.ok) return result
  const cause = result.error.cause
  if (result.error.code !== 'INTERNAL_SERVER_ERROR' || !isAuthError(cause)) return result
  const final = withRealm(cause, state?.realm)
  state?.challenge(final)
  return { ...result, error: toTRPCError(final) }
}

/** The full path: a socket's call verified again (which may wait), a subscription whose stream is guarded. */
async function guardedCall(
  opts: AnyMiddlewareOpts,
  state: AuthState | undefined,
  rules: readonly AuthRequirements[],
  identity: Identity<unknown> | null,
  required: boolean,
  checkedHere: boolean,
): Promise<CallResult> {
  const { type, signal } = opts
  if (checkedHere) {
    const pending = reverify(state!)
    if (pending) await pending
  }
  admit(state, rules, identity, required)
  // Only a socket's subscription (renewable) collects its checks; a call or an HTTP stream does not.
  const checks = type === 'subscription' && identity && state?.longLived ? ruleChecks(rules) : undefined
  const result = translated(
    checks
      ? await opts.next({ ctx: { [VERIFIED]: true, [CHECKS]: checks } })
      : checkedHere
        ? await opts.next({ ctx: MARK })
        : await opts.next(),
    state,
  )
  if (!result.ok || type !== 'subscription' || !identity) return result
  return { ...result, data: guardSubscription(result.data, identity, state, signal, checks) }
}

function authMiddleware(required: boolean) {
  // Not async: an HTTP query or mutation (the common call) adds no async frame or await of its own,
  // only the one `then` that translates a resolver's AuthError. A throw here fails the call as a
  // rejection would (tRPC catches both).
  return (opts: AnyMiddlewareOpts): Promise<CallResult> => {
    const { ctx, meta, type } = opts
    const state = stateOf(ctx)
    const rules = requirementsOf(meta as object | undefined)
    const identity = currentIdentity(ctx, state)
    // Only on a long-lived context: an HTTP call awaits nothing here.
    const checkedHere = mustReverify(ctx, state, identity)
    if (checkedHere || type === 'subscription')
      return guardedCall(opts, state, rules, identity, required, checkedHere)
    admit(state, rules, identity, required)
    // ctx already holds the identity; the narrowing to non-null is a type (AuthProcedures), so no
    // context override (which makes tRPC copy the context once more per middleware).
    return opts.next().then((result) => translated(result, state))
  }
}

function checkMiddleware(kind: 'scopes' | 'roles', list: readonly string[], options: MatchOptions = {}) {
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string'))
    throw new TypeError(
      `require${kind === 'scopes' ? 'Scopes' : 'Roles'}: "${kind}" must be an array of strings`,
    )
  const check = kind === 'scopes' ? requireScopesOf : requireRolesOf
  const holds = kind === 'scopes' ? hasScopesOf : hasRolesOf
  // Decided by has*, so a passing call builds no closure and enters no try; require* (the same
  // rule) only runs to make the refusal.
  const admitted = (state: AuthState | undefined, identity: Identity<unknown> | null) => {
    if (!identity) fail(state, new AuthError('token_missing', 'authentication is required'))
    if (!holds(identity, list, options)) runCheck(state, () => check(identity, list, options))
  }
  // Not async, as authMiddleware: an HTTP call returns next()'s own promise.
  return (opts: AnyMiddlewareOpts): ReturnType<AnyMiddlewareOpts['next']> => {
    const state = stateOf(opts.ctx)
    const identity = currentIdentity(opts.ctx, state)
    if (mustReverify(opts.ctx, state, identity))
      return (async () => {
        const pending = reverify(state)
        if (pending) await pending
        admitted(state, identity)
        checksOf(opts.ctx)?.push((renewed) => check(renewed, list, options))
        return opts.next({ ctx: MARK })
      })()
    admitted(state, identity)
    checksOf(opts.ctx)?.push((renewed) => check(renewed, list, options))
    return opts.next()
  }
}

/**
 * Builds the procedures and middlewares for a tRPC instance whose context comes from
 * `createAuthContext`: `publicProcedure`, `protectedProcedure` (identity required and typed non-null),
 * `requireScopes` / `requireRoles` middlewares, and `renewToken`, a mutation that renews an open
 * WebSocket's token. Both procedures also enforce `meta.auth`: every
 * `.meta({ auth })` on a procedure's chain adds a requirement (tRPC's shallow meta merge would
 * replace it), and an unknown key in `meta.auth` is a `TypeError` when the procedure is defined.
 *
 * @example
 * const t = initTRPC.context<typeof createContext>().meta<AuthMeta>().create()
 * const { publicProcedure, protectedProcedure, requireScopes, requireRoles } = createAuthProcedures(t)
 * const appRouter = t.router({
 *   me: protectedProcedure.query(({ ctx }) => ctx.identity.subject),
 *   reports: protectedProcedure.use(requireScopes(['read:reports'])).query(() => []),
 * })
 */
export function createAuthProcedures<
  TContext extends AuthContext<unknown>,
  TMeta extends object,
  TOptions extends TRPCRuntimeConfigOptions<TContext, TMeta>,
>(t: TRPCRootObject<TContext, TMeta, TOptions>): AuthProcedures<TContext, TMeta, TOptions> {
  type Procedures = AuthProcedures<TContext, TMeta, TOptions>
  // The middlewares are typed for any auth context; tRPC's generics cannot express that, hence the casts.
  const use = t.procedure.use as (fn: unknown) => object
  const middleware = t.middleware as (fn: unknown) => unknown
  // A malformed `auth` in `defaultMeta` fails here, when the procedures are made.
  requirementsOf((t.procedure as { _def?: { meta?: object } })._def?.meta)
  return {
    publicProcedure: layered(
      use.call(t.procedure, mark(authMiddleware(false), { kind: 'procedure', required: false })),
    ) as Procedures['publicProcedure'],
    protectedProcedure: layered(
      use.call(t.procedure, mark(authMiddleware(true), { kind: 'procedure', required: true })),
    ) as Procedures['protectedProcedure'],
    // Marked with what they check, so describeRules reads them without running them.
    requireScopes: (scopes, options) =>
      middleware(
        mark(checkMiddleware('scopes', scopes, options), {
          kind: 'scopes',
          list: scopes,
          mode: options?.mode ?? 'all',
        }),
      ) as ReturnType<Procedures['requireScopes']>,
    requireRoles: (roles, options) =>
      middleware(
        mark(checkMiddleware('roles', roles, options), {
          kind: 'roles',
          list: roles,
          mode: options?.mode ?? 'all',
        }),
      ) as ReturnType<Procedures['requireRoles']>,
    // The resolver requires the connection's identity (anonymous: token_missing; HTTP: BAD_REQUEST);
    // the mark says so to describeRules, which would otherwise read a public mutation.
    renewToken: (
      (
        use.call(
          t.procedure,
          mark(({ next }: { next: () => unknown }) => next(), { kind: 'procedure', required: true }),
        ) as typeof t.procedure
      ).input(parseRenewInput) as unknown as {
        mutation(fn: (opts: { ctx: object; input: RenewTokenInput }) => Promise<RenewTokenOutput>): unknown
      }
    ).mutation(({ ctx, input }) => renewConnection(ctx, input)) as Procedures['renewToken'],
  }
}
