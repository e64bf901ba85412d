import type { Plugin } from '@envelop/core'
import {
  AuthError,
  type AuthResult,
  type DefaultClaims,
  hasRoles,
  hasScopes,
  type Identity,
  type RequestLike,
  requireRoles,
  requireScopes,
} from '@portcullis/core'
import type { ExecutionResult, GraphQLError, GraphQLSchema } from 'graphql'
import { demandsOf, TOO_LARGE } from './check.js'
import { toGraphQLError, tooLarge } from './errors.js'
import { type NormalizedOptions, normalizeOptions, type UseAuthOptions } from './options.js'
import { createPlan, type Plan, type Requirement, resolveChecks } from './plan.js'
import { createSlot } from './slot.js'
import { guardStream } from './subscriptions.js'

/**
 * What the plugin adds to the GraphQL context: the verified identity, or `null` when anonymous.
 *
 * @example
 * const resolvers = {
 *   Query: { me: (_: unknown, __: unknown, { identity }: AuthContext) => identity?.subject },
 * }
 */
export interface AuthContext<Claims = DefaultClaims> {
  identity: Identity<Claims> | null
}

/**
 * The Envelop plugin {@link useAuth} returns; `onRequest` and `onResponse` are Yoga's hooks, through
 * which a refreshed session's cookies reach the HTTP response. They are left out when the `auth`
 * never sets cookies (no sessions), since each hook costs Yoga several percent of its throughput.
 *
 * @example
 * const plugin: AuthPlugin = useAuth({ auth })
 */
export type AuthPlugin<Claims = DefaultClaims> = Plugin<AuthContext<Claims>> & {
  onRequest?(payload: { request: Request }): void
  onResponse?(payload: { request: Request; response: Response }): void
}

/** What one request proved, shared by every operation of a batch. */
interface RequestState<Claims> {
  /** Where the credentials were read; a running subscription verifies them again. */
  readonly request: RequestLike | undefined
  readonly identity: Identity<Claims> | null
  /** The error that stops every operation: an invalid token (unless opted out) or a 503. */
  readonly rejection: AuthError | undefined
  /** Requirement -> denial, memoized per request. */
  readonly decisions: Map<Requirement, AuthError | null>
}

/** Runs a core `require*` check, turning its throw into the denial. */
function attempt(check: () => void): AuthError | null {
  try {
    check()
    return null
  } catch (error) {
    if (error instanceof AuthError) return error
    throw error
  }
}

/** The first rule of a requirement the identity fails, as core's error; null when all hold. */
function denial(identity: Identity<unknown> | null, requirement: Requirement): AuthError | null {
  for (const { roles, scopes, mode } of requirement) {
    if (identity === null) return new AuthError('token_missing', 'authentication is required')
    // Core builds the errors, so codes, statuses and challenges match every other adapter.
    let error: AuthError | null
    if (mode === 'any') {
      // ANY: one listed role or one listed scope is enough.
      const held =
        roles.length + scopes.length === 0 ||
        (roles.length > 0 && hasRoles(identity, roles, { mode })) ||
        (scopes.length > 0 && hasScopes(identity, scopes, { mode }))
      error = held
        ? null
        : attempt(() =>
            scopes.length > 0
              ? requireScopes(identity, scopes, { mode })
              : requireRoles(identity, roles, { mode }),
          )
    } else {
      error = attempt(() => requireScopes(identity, scopes)) ?? attempt(() => requireRoles(identity, roles))
    }
    if (error) return error
  }
  return null
}

function decide<Claims>(state: RequestState<Claims>, requirement: Requirement): AuthError | null {
  let decision = state.decisions.get(requirement)
  if (decision === undefined) {
    decision = denial(state.identity, requirement)
    state.decisions.set(requirement, decision)
  }
  return decision
}

/**
 * An Envelop plugin (GraphQL Yoga included) that verifies the request's token once, puts the
 * identity in `context.identity`, and enforces `@auth` rules before an operation executes.
 *
 * @example
 * const yoga = createYoga({
 *   schema: createSchema({ typeDefs: [authDirectiveTypeDefs, typeDefs], resolvers }),
 *   plugins: [useAuth({ auth: createAuth({ issuer, audience, secret }) })],
 * })
 */
export function useAuth<Claims>(options: UseAuthOptions<Claims>): AuthPlugin<Claims> {
  const config: NormalizedOptions<Claims> = normalizeOptions(options)
  const { auth } = config
  const plans = new WeakMap<GraphQLSchema, Plan>()
  // Per-request state lives on the request or context object under a Symbol, not in WeakMaps: see
  // slot.ts for the GC cost the bench measured. It holds no token: a refresh's cookies stay in
  // `cookies`, a WeakMap written only when a session is refreshed.
  const pending = createSlot<Promise<AuthResult<Claims>>>('portcullis.auth')
  const states = createSlot<Promise<RequestState<Claims>>>('portcullis.state')
  const cookies = new WeakMap<object, readonly string[]>()
  /** Requests Yoga serves: their response goes through `onResponse`, so it can carry `Set-Cookie`. */
  const served = createSlot<true>('portcullis.served')

  const planOf = (schema: GraphQLSchema): Plan => {
    let plan = plans.get(schema)
    if (!plan) {
      plan = createPlan(schema, config)
      plans.set(schema, plan)
    }
    return plan
  }

  /**
   * One verification per HTTP request, shared by a batch's operations. Credentials that outlive a
   * request (graphql-ws `connectionParams`, an upgrade request) are verified per operation, so a
   * new subscription on an old socket sees expiry and revocation.
   *
   * A session is refreshed only for a request Yoga serves, whose response carries the new cookies.
   * Anywhere else (a socket, bare Envelop) refreshing would rotate the refresh token behind the
   * browser's back, and its next refresh would end the session as `refresh_reused`.
   */
  function authenticate(
    request: RequestLike | undefined,
    context: Readonly<Record<string, unknown>>,
  ): Promise<AuthResult<Claims>> {
    if (request === undefined) return Promise.resolve({ status: 'anonymous' })
    const key = request === context.request ? request : context
    let found = pending.get(key)
    if (!found) {
      const refresh = request === context.request && served.get(request) === true
      found = auth.authenticate(request, { refresh }).then((result) => {
        if (!result.setCookie) return result
        if (refresh && result.setCookie.length) cookies.set(request, result.setCookie)
        // What stays on the request holds no token.
        const { setCookie: _, ...rest } = result
        return rest
      })
      pending.set(key, found)
    }
    return found
  }

  async function build(context: Readonly<Record<string, unknown>>): Promise<RequestState<Claims>> {
    const request = config.request(context)
    const result = await authenticate(request, context)
    const rejected = result.status === 'rejected' ? result.error : undefined
    const anonymous = rejected?.status === 401 && config.invalidToken === 'anonymous'
    return {
      request,
      identity: result.status === 'authenticated' ? result.identity : null,
      rejection: anonymous ? undefined : rejected,
      decisions: new Map(),
    }
  }

  function stateOf(context: object): Promise<RequestState<Claims>> {
    let state = states.get(context)
    if (!state) {
      state = build(context as Record<string, unknown>)
      states.set(context, state)
    }
    return state
  }

  /**
   * What a running subscription verifies again. After a refresh the request's access cookie is
   * stale: the new cookies are verified, as the browser will send them, and never refreshed again.
   */
  function credentialsOf(request: RequestLike | undefined): RequestLike | undefined {
    const refreshed = request && cookies.get(request)
    return refreshed?.length ? { cookie: refreshed.map(cookiePair).join('; ') } : request
  }

  /** Errors for the operation, or undefined when it may run. Registers resolve-time checks. */
  function admit(
    state: RequestState<Claims>,
    args: {
      schema: GraphQLSchema
      document: Parameters<typeof demandsOf>[1]
      operationName?: string | null
      variableValues?: Readonly<Record<string, unknown>> | null
    },
    context: object,
    mode: 'reject' | 'null',
  ): GraphQLError[] | undefined {
    if (state.rejection) return [toGraphQLError(state.rejection, { http: true })]
    const plan = planOf(args.schema)
    const demands = demandsOf(plan, args.document, args.operationName, args.variableValues)
    if (demands === TOO_LARGE) return [tooLarge()]
    const errors: GraphQLError[] = []
    for (const demand of demands) {
      const error = decide(state, demand.requirement)
      // In 'null' mode fields are nulled where they resolve; only introspection, which has no
      // resolver to wrap, is decided here.
      const field = demand.node.name.value
      if (!error || (mode === 'null' && field !== '__schema' && field !== '__type')) continue
      errors.push(toGraphQLError(error, { http: true, path: demand.path, nodes: demand.node }))
    }
    if (errors.length > 0) return errors
    if (plan.atResolve.size > 0) {
      resolveChecks.set(context, (field) => {
        const requirement = plan.atResolve.get(field)
        const error = requirement && decide(state, requirement)
        if (error) throw toGraphQLError(error, { http: false })
      })
    }
    return undefined
  }

  const plugin: AuthPlugin<Claims> = {
    onSchemaChange({ schema }) {
      planOf(schema)
    },
    async onContextBuilding({ context, extendContext }) {
      const state = await stateOf(context)
      extendContext({ identity: state.identity })
    },
    async onExecute({ args, context, extendContext, setResultAndStopExecution }) {
      // `context` is the object execution will use (Envelop substitutes {} for a missing one).
      const state = await stateOf(context)
      extendContext({ identity: state.identity })
      const errors = admit(state, args, context, config.onDeny)
      if (errors) setResultAndStopExecution({ errors })
    },
    async onSubscribe({ args, context, extendContext, setResultAndStopExecution }) {
      const state = await stateOf(context)
      extendContext({ identity: state.identity })
      // A stream cannot be partly denied for its lifetime, so subscriptions are always all-or-nothing.
      const errors = admit(state, args, context, 'reject')
      if (errors) return setResultAndStopExecution({ errors })
      if (!state.identity) return
      const { identity } = state
      const credentials = credentialsOf(state.request)
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return
          setResult(
            guardStream(result, {
              expiresAt: identity.expiresAt,
              now: config.now,
              recheckEvery: config.subscriptionRecheck,
              async recheck() {
                const again = await auth.authenticate(credentials ?? {}, { refresh: false })
                if (again.status === 'rejected') return again.error
                if (again.status === 'anonymous' || again.identity.subject !== identity.subject)
                  return new AuthError('token_missing', 'the subscription credentials are gone')
                return undefined
              },
            }),
          )
        },
      }
    },
  }
  // An `auth` that never sets cookies (no sessions) needs neither hook; one without the flag might.
  if (auth.setsCookies === false) return plugin
  return {
    ...plugin,
    onRequest({ request }) {
      served.set(request, true)
    },
    onResponse({ request, response }) {
      for (const cookie of cookies.get(request) ?? []) response.headers.append('set-cookie', cookie)
    },
  }
}

/** `name=value` of a `Set-Cookie` line: what the browser sends back. */
const cookiePair = (setCookie: string): string => setCookie.split(';', 1)[0]!.trim()

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value
}
