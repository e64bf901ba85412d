import { type AuthResult, createSlot, type RequestLike, type Slot } from '@portcullis/core'
import type { Connections } from './connections.js'
import type { RequestState } from './decide.js'
import type { NormalizedOptions } from './options.js'

/** A value, or the promise of it while it is being worked out. */
export type MaybePromise<T> = T | Promise<T>

/**
 * The per-request state of one `useAuth` plugin, and the verification that makes it. Every member
 * is made once, by {@link createStates}; the plugin's hooks take them out into local variables, so a
 * request calls plain closures and looks up nothing on this object.
 */
export interface States<Claims> {
  // Per-request state lives in private fields on the request or context object, not in a WeakMap:
  // see core's createSlot for what the bench measured. It holds no token: a refresh's cookies stay in
  // `cookies`, a WeakMap written only when a session is refreshed.
  /** What each request (or socket operation's context) proved, a promise while it is verified. */
  readonly states: Slot<MaybePromise<RequestState<Claims>>>
  /** Requests Yoga serves: their response goes through `onResponse`, so it can carry `Set-Cookie`. */
  readonly served: Slot<true>
  /** A refreshed session's `Set-Cookie` lines, by the request whose response carries them. */
  readonly cookies: Pick<WeakMap<object, readonly string[]>, 'get'>
  /** The state of verified credentials, kept under `key`; `request` is where they were read. */
  stateFrom(request: RequestLike | undefined, key: object, result: AuthResult<Claims>): RequestState<Claims>
  /**
   * What the request proved: a value once its token is known, a promise while it is being verified.
   * One verification per HTTP request, shared by a batch's operations (the state lives on the
   * request). Credentials that outlive a request (graphql-ws `connectionParams`, an upgrade request)
   * are verified per operation (the state lives on its context), so a new subscription on an old
   * socket sees expiry and revocation.
   *
   * A session is refreshed only for a request Yoga serves, whose response carries the new cookies.
   * Anywhere else (a socket, bare Envelop) refreshing would rotate the refresh token behind the
   * browser's back, and its next refresh would end the session as `refresh_reused`.
   */
  stateOf(context: Readonly<Record<string, unknown>>): MaybePromise<RequestState<Claims>>
  /** Starts verifying `request`, whose state is kept on `key`; `refresh` allows a session refresh. */
  verify(request: RequestLike | undefined, key: object, refresh: boolean): MaybePromise<RequestState<Claims>>
  /** Puts a settled state's identity on the context Yoga is about to build, for its `onExecute`. */
  settle(context: Record<string, unknown>, state: RequestState<Claims>): void
  /** Keeps the state a context is built with, for its `onExecute`. */
  remember(context: object, state: MaybePromise<RequestState<Claims>>): void
  /** Replaces the state kept for a context (once its verification settles, or on a renewal). */
  setBuilt(context: object, state: MaybePromise<RequestState<Claims>>): void
  /** The state a context was built with, forgotten once read if it was the pending one. */
  builtState(context: object): MaybePromise<RequestState<Claims>> | undefined
}

/**
 * Makes the per-request state of one `useAuth` plugin: where each request's verification is kept,
 * and the closures that start it (`verify`, `stateOf`) and hand it to the operation (`settle`,
 * `remember`, `builtState`). `connections` holds the renewed credentials of graphql-ws sockets.
 *
 * @example
 * const { states, served, verify, settle } = createStates(normalizeOptions(options), createConnections())
 * const state = states.get(request) ?? verify(request, request, served.get(request) === true)
 */
export function createStates<Claims>(
  config: NormalizedOptions<Claims>,
  connections: Connections,
): States<Claims> {
  const { auth } = config
  // An `auth` made by hand (or by an older core) may not have it: then every request waits.
  const authenticateSync =
    typeof auth.authenticateSync === 'function'
      ? (request: RequestLike) => auth.authenticateSync(request)
      : undefined
  const states = createSlot<MaybePromise<RequestState<Claims>>>()
  const cookies = new WeakMap<object, readonly string[]>()
  const served = createSlot<true>()
  /** The state each context was built with (`onContextBuilding`), for its `onExecute`. */
  const built = createSlot<MaybePromise<RequestState<Claims>>>()
  // The context built last, with its state, not yet executed: on Yoga's synchronous path its
  // `onExecute` follows at once and finds it here, so the context is never stamped (stamping a
  // private field on every context cost more than the rest of the lookup). A context built before
  // the pending one executes (a batch, a pending verification) moves the pending one into `built`.
  let pendingContext: object | undefined
  let pendingState: MaybePromise<RequestState<Claims>> | undefined
  const setBuilt = (context: object, state: MaybePromise<RequestState<Claims>>) => {
    if (context === pendingContext) pendingState = state
    else built.set(context, state)
  }
  const remember = (context: object, state: MaybePromise<RequestState<Claims>>) => {
    if (pendingContext !== undefined && pendingContext !== context) built.set(pendingContext, pendingState!)
    pendingContext = context
    pendingState = state
  }
  const builtState = (context: object): MaybePromise<RequestState<Claims>> | undefined => {
    if (context !== pendingContext) return built.get(context)
    const state = pendingState
    // Forgotten once used: the plugin holds no request past its operation.
    pendingContext = undefined
    pendingState = undefined
    return state
  }

  /** Verifies credentials, keeping a refresh's cookies aside for the response of `key`. */
  function authenticate(request: RequestLike, refresh: boolean, key: object): Promise<AuthResult<Claims>> {
    return auth.authenticate(request, { refresh }).then((result) => {
      if (!result.setCookie) return result
      if (refresh && result.setCookie.length) cookies.set(key, result.setCookie)
      // What stays on the request holds no token.
      const { setCookie: _, ...rest } = result
      return rest
    })
  }

  function stateFrom(
    request: RequestLike | undefined,
    key: object,
    result: AuthResult<Claims>,
  ): RequestState<Claims> {
    const rejected = result.status === 'rejected' ? result.error : undefined
    const anonymous = rejected?.status === 401 && config.invalidToken === 'anonymous'
    return {
      request,
      key,
      identity: result.status === 'authenticated' ? result.identity : null,
      rejection: anonymous ? undefined : rejected,
      denials: undefined,
    }
  }

  function stateOf(context: Readonly<Record<string, unknown>>): MaybePromise<RequestState<Claims>> {
    // A graphql-ws connection's renewed credentials replace its connection params (never an HTTP
    // request's: an HTTP context has no `extra`).
    const { extra } = context
    const request = connections.get(extra)?.request ?? config.request(context)
    // The HTTP request's credentials, read from Yoga's Fetch `request` or from the Node `req` under
    // it, belong to that request: its state is shared by a batch, and its response carries cookies.
    const http = context.request
    const key =
      request !== undefined && isObject(http) && (request === http || request === context.req)
        ? http
        : context
    return states.get(key) ?? verify(request, key, key === http && served.get(key) === true)
  }

  function verify(
    request: RequestLike | undefined,
    key: object,
    refresh: boolean,
  ): MaybePromise<RequestState<Claims>> {
    let state: MaybePromise<RequestState<Claims>>
    // A cached token is answered without a promise, so Yoga stays on its synchronous path.
    const known = request === undefined ? ANONYMOUS : authenticateSync?.(request)
    if (known) {
      state = stateFrom(request, key, known)
    } else {
      state = authenticate(request!, refresh, key).then((done) => stateFrom(request, key, done))
      // Once settled, later hooks and operations of the request read the value, not the promise.
      state.then((done) => states.set(key, done), ignore)
    }
    states.set(key, state)
    return state
  }

  function settle(context: Record<string, unknown>, state: RequestState<Claims>): void {
    remember(context, state)
    context.identity = state.identity
  }

  return { states, served, cookies, stateFrom, stateOf, verify, settle, remember, setBuilt, builtState }
}

/**
 * The result of no credentials at all.
 *
 * @example
 * const result = request ? await auth.authenticate(request, { refresh: false }) : ANONYMOUS
 */
export const ANONYMOUS: AuthResult<never> = Object.freeze({ status: 'anonymous' })

/** A rejection handler that drops the fault (someone else awaits the same promise and sees it). */
export const ignore = () => {}

/** Whether `value` is an object one can key state on. */
export const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null

/**
 * Whether a state is still being verified.
 *
 * @example
 * return isPromise(state) ? state.then((done) => execute(payload, done)) : execute(payload, state)
 */
export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function'
}
