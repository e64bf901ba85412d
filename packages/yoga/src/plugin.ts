import type { Plugin } from '@envelop/core'
import {
  AuthError,
  type DefaultClaims,
  type Identity,
  type RenewalOutcome,
  type RequestLike,
} from '@portcullis/core'
import type { GraphQLSchema } from 'graphql'
import { createAdmit } from './admit.js'
import { applyRenewal, createConnections } from './connections.js'
import type { RequestState } from './decide.js'
import { hostedByYoga } from './host.js'
import { type NormalizedOptions, normalizeOptions, repeatsHeaders, type UseAuthOptions } from './options.js'
import { createPlan, type Plan } from './plan.js'
import { ANONYMOUS, createStates, ignore, isObject, isPromise } from './states.js'
import { createOnSubscribe } from './subscribe.js'

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
 * The Envelop plugin {@link useAuth} returns. `onParams`, `onRequest` and `onResponse` are Yoga's
 * hooks: in `onParams` Yoga hands over an HTTP operation's request before it builds the context,
 * and the plugin verifies it there (see {@link useAuth}); through the other two a refreshed
 * session's cookies reach the HTTP response. Those two are left out when the `auth` never sets
 * cookies (no sessions), since each hook costs Yoga several percent of its throughput.
 *
 * @example
 * const plugin: AuthPlugin = useAuth({ auth })
 */
export type AuthPlugin<Claims = DefaultClaims> = Plugin<AuthContext<Claims>> & {
  onParams?(payload: { request: Request; context?: object }): Promise<void> | void
  onRequest?(payload: { request: Request }): void
  onResponse?(payload: { request: Request; response: Response }): void
  /**
   * Renews an open graphql-ws connection with new credentials (see `renewOnPing`, which calls it):
   * verified with core's `verifyRenewal`, same subject and issuer. Later operations and running
   * subscriptions use them; a subscription the new identity no longer allows ends with `FORBIDDEN`.
   */
  renewConnection(connection: SocketConnection, credentials: RequestLike): Promise<RenewalOutcome<Claims>>
}

/**
 * The graphql-ws connection a renewal applies to: its `ctx` (as `onPing` gets it), of which
 * `extra` (`{ socket, request }`) is the connection's own object, the one the recipe's operation
 * contexts carry.
 *
 * @example
 * useServer({ onPing: (ctx, payload) => plugin.renewConnection(ctx, { authorization: `Bearer ${payload.token}` }) })
 */
export interface SocketConnection {
  readonly extra: object
  readonly connectionParams?: Readonly<Record<string, unknown>> | undefined
}

/**
 * An Envelop plugin (GraphQL Yoga included) that verifies the request's token once, puts the
 * identity in `context.identity`, and enforces `@auth` rules before an operation executes.
 *
 * On Yoga the request is verified in `onParams`, before Yoga builds the context (so a `context`
 * factory already sees `identity`), and the plugin registers no `onContextBuilding`, which would
 * take every request off Envelop's synchronous context factory. Elsewhere (bare Envelop), and with
 * a custom `request` option (which may read what context building adds), the identity is set in
 * `onContextBuilding`. Either way `onExecute` admits no operation before its state is settled.
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
  // The verifier's challenge parameters (realm, RFC 9728 resource_metadata) on denials raised here.
  const challenge = (error: AuthError): AuthError =>
    typeof auth.challenge === 'function' ? auth.challenge(error) : error
  const plans = new WeakMap<GraphQLSchema, Plan>()
  /** graphql-ws connections (by `ctx.extra`) with running streams or renewed credentials. */
  const connections = createConnections()
  // Taken out once, here: the hooks call these closures directly, with no lookup on `requests`.
  const requests = createStates(config, connections)
  const { states, served, cookies, stateOf, verify, settle, remember, setBuilt, builtState } = requests

  const planOf = (schema: GraphQLSchema): Plan => {
    let plan = plans.get(schema)
    if (!plan) {
      plan = createPlan(schema, config)
      plans.set(schema, plan)
    }
    return plan
  }

  const admit = createAdmit<Claims>(planOf, challenge)

  /** Admits one operation; `context` is the object execution will use (Envelop substitutes {} for a missing one). */
  function execute(payload: ExecutePayload<Claims>, state: RequestState<Claims>): void {
    const { context } = payload
    if (context.identity !== state.identity) payload.extendContext({ identity: state.identity })
    const errors = admit(state, payload.args, context, config.onDeny)
    if (errors) payload.setResultAndStopExecution({ errors })
  }

  /** The identity on a context being built: bare Envelop, or a custom `request` option. */
  const onContextBuilding: ContextBuilding<Claims> = ({ context, extendContext }) => {
    const state = stateOf(context)
    remember(context, state)
    if (isPromise(state))
      return state.then((done) => {
        setBuilt(context, done)
        extendContext({ identity: done.identity })
      })
    extendContext({ identity: state.identity })
  }

  // The default lookup reads an HTTP context's `request` or Node's `req`, both known in `onParams`;
  // a custom one may read anything the context holds once built, so it waits for context building.
  const early = options.request === undefined

  /**
   * Yoga, before it builds an HTTP operation's context (`context`, to which it then adds `request`
   * and `params`): the request is verified now, a first verification awaited, and the identity put
   * on the context, so Envelop needs no `onContextBuilding`. A batch's operations share the state,
   * kept on their one request. A context that is not a plain HTTP one is left to `onExecute`.
   */
  const onParams = ({ request, context }: { request: Request; context?: object }) => {
    if (!early || !isObject(context) || !isObject(request)) return
    const http = context as Record<string, unknown>
    // What `defaultRequest` would read: it prefers graphql-ws params, absent from HTTP contexts.
    if (http.connectionParams !== undefined || http.extra !== undefined) return
    const state =
      states.get(request) ??
      verify(repeatsHeaders(http.req) ? http.req : request, request, served.get(request) === true)
    if (!isPromise(state)) return settle(http, state)
    // A fault is not swallowed: `onExecute` finds the same rejected promise and fails the operation.
    return state.then((done) => settle(http, done), ignore)
  }

  const plugin: AuthPlugin<Claims> = {
    onPluginInit({ plugins, addPlugin }) {
      if (!early || !hostedByYoga(plugins, onParams)) addPlugin({ onContextBuilding })
    },
    onParams,
    onSchemaChange({ schema }) {
      planOf(schema)
    },
    onExecute(payload) {
      // The state this context was built with, found again without reading the request (a context
      // built elsewhere, or copied by another plugin, is looked up from its credentials).
      const state = builtState(payload.context) ?? stateOf(payload.context)
      // A settled state (a cached token) is admitted without a closure or a promise.
      return isPromise(state) ? state.then((done) => execute(payload, done)) : execute(payload, state)
    },
    onSubscribe: createOnSubscribe(config, requests, admit, connections),
    async renewConnection(connection, credentials) {
      const entry = connections.of(connection.extra)
      let current = entry.identity
      if (!current) {
        // No stream recorded who the connection is: its current credentials say.
        const request =
          entry.request ??
          config.request({ ...connection, req: (connection.extra as { request?: unknown }).request })
        const result = request ? await auth.authenticate(request, { refresh: false }) : ANONYMOUS
        current = result.status === 'authenticated' ? result.identity : undefined
      }
      if (!current)
        return {
          status: 'rejected',
          error: new AuthError('token_missing', 'the connection has no identity to renew'),
        }
      return applyRenewal(auth, entry, current, credentials) as Promise<RenewalOutcome<Claims>>
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

/** Envelop's context-building hook, typed for the plugin's context. */
type ContextBuilding<Claims> = NonNullable<Plugin<AuthContext<Claims>>['onContextBuilding']>

/** What Envelop hands `onExecute`. */
type ExecutePayload<Claims> = Parameters<NonNullable<Plugin<AuthContext<Claims>>['onExecute']>>[0]
