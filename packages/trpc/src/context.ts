import {
  type Auth,
  AuthError,
  type AuthResult,
  headerReader,
  type Identity,
  type RenewalOutcome,
  type RequestLike,
  verifyRenewal,
} from '@portcullis/core'
import { toTRPCError } from './errors.js'
import {
  type AuthContextOptions,
  type CreateAuthContextOptions,
  type NormalizedContextOptions,
  normalizeContextOptions,
} from './options.js'

/**
 * The part of the context this package adds: the verified identity, or `null` for an anonymous call.
 *
 * @example
 * const t = initTRPC.context<AuthContext<{ sub: string }>>().create()
 */
export interface AuthContext<Claims = Identity['claims']> {
  /** Who made the request, from a token verified once in context creation; `null` when anonymous. */
  identity: Identity<Claims> | null
}

/** Writes one response header, wherever the adapter lets us. */
interface HeaderSink {
  append(name: 'set-cookie' | 'www-authenticate' | 'dpop-nonce', value: string): void
}

/** Per-request state the procedures read; kept under a symbol so it travels with tRPC's context merges. */
export interface AuthState {
  /** The `realm` of challenges raised here rather than in core. */
  readonly realm: string | undefined
  /** A rejection the procedures report (on sockets, where failing the context would close the connection). */
  readonly rejection: AuthError | undefined
  /** True when the context outlives one request (a WebSocket connection, a hand-made caller context). */
  readonly longLived: boolean
  readonly options: NormalizedContextOptions
  /** The WebSocket a connection's context came with (tRPC's `res` there), or undefined. */
  readonly socket: unknown
  /** Sends `WWW-Authenticate` once per distinct challenge. */
  challenge(error: AuthError): void
  /** Authenticates the same credentials again, never refreshing. */
  recheck(): Promise<AuthResult<unknown>>
  /**
   * {@link recheck}'s verdict: the error that stops a call or a stream, or undefined when they still
   * hold. Without a promise when core answers without waiting (a cached bearer token).
   */
  verifyAgain(): AuthError | undefined | Promise<AuthError | undefined>
  /**
   * Replaces the connection's credentials with `credentials`, verified with core's `verifyRenewal`
   * (same subject and issuer): later calls and running subscriptions use the new identity. See
   * `renewal.ts`.
   */
  renew(credentials: RequestLike): Promise<RenewalOutcome<unknown>>
  /** Runs `listener` with each renewed identity until the returned function is called. */
  onRenew(listener: (identity: Identity<unknown>) => void): () => void
}

// Symbol.for, so two copies of this package in one app still find each other's state.
const STATE: unique symbol = Symbol.for('portcullis.trpc.state') as never

/** The state `createAuthContext` put in a context, or undefined for a context built by hand. */
export function stateOf(ctx: object): AuthState | undefined {
  return (ctx as { [STATE]?: AuthState })[STATE]
}

interface NodeResponseLike {
  headersSent?: boolean
  getHeader(name: string): number | string | readonly string[] | undefined
  setHeader(name: string, value: string | readonly string[]): unknown
}

/** A Node response as a {@link HeaderSink}; its method on the prototype, so a request makes no closure. */
class NodeResponseSink implements HeaderSink {
  readonly #response: NodeResponseLike
  constructor(response: NodeResponseLike) {
    this.#response = response
  }

  append(name: string, value: string): void {
    const response = this.#response
    // A streamed response (httpBatchStreamLink, SSE) may have sent its headers already.
    if (response.headersSent) return
    const current = response.getHeader(name)
    const list = current === undefined ? [] : Array.isArray(current) ? current : [String(current)]
    response.setHeader(name, [...list, value])
  }
}

function headerSink(opts: AuthContextOptions): HeaderSink | undefined {
  const { resHeaders, res } = opts
  // By shape, not instanceof: edge runtimes and ponyfills bring their own Headers class. A Headers
  // object is a sink as it is (its own `append`).
  if (typeof resHeaders?.append === 'function') return resHeaders as HeaderSink
  const node = res as Partial<NodeResponseLike> | undefined
  if (typeof node?.setHeader === 'function' && typeof node.getHeader === 'function')
    return new NodeResponseSink(node as NodeResponseLike)
  return undefined
}

/**
 * What a re-check verifies: only the header that carried the token or, after a refresh, the new
 * cookies, as the browser will send them. Re-checks never refresh (see `createAuthContext`).
 */
function credentialsOf(request: RequestLike, result: AuthResult<unknown>): RequestLike {
  if (result.status !== 'authenticated') return request
  if (result.setCookie?.length)
    return { cookie: result.setCookie.map((line) => line.split(';', 1)[0]!.trim()).join('; ') }
  const headers = headerReader(request)
  const { source } = result.identity
  if (source === 'bearer') return { authorization: headers.all('authorization') }
  if (source === 'cookie' || source === 'session') return { cookie: headers.all('cookie') }
  return request
}

const isClosable = (value: unknown): value is { close(code: number, reason: string): void } =>
  typeof (value as { close?: unknown } | undefined)?.close === 'function'

function verdictOf(result: AuthResult<unknown>): AuthError | undefined {
  if (result.status === 'rejected') return result.error
  if (result.status === 'anonymous') return new AuthError('token_missing', 'the credentials are gone')
  return undefined
}

/** {@link AuthState} with its methods on the prototype: a request allocates no closures for them. */
class RequestAuthState implements AuthState {
  readonly realm: string | undefined
  readonly rejection: AuthError | undefined
  readonly longLived: boolean
  readonly options: NormalizedContextOptions
  socket: unknown
  // Private (#), so logging a context shows neither the request's credentials nor its verdict.
  readonly #auth: Auth<unknown>
  readonly #sink: HeaderSink | undefined
  #request: RequestLike
  #result: AuthResult<unknown>
  #sent: Set<string> | undefined
  /** The context handed to tRPC: each call of a connection gets it, so a renewal updates it. */
  #root: { identity: Identity<unknown> | null } | undefined
  #listeners: Set<(identity: Identity<unknown>) => void> | undefined
  /** Renewals asked for, and the latest one applied: a slower, older one never undoes a newer one. */
  #asked = 0
  #applied = 0

  constructor(
    auth: Auth<unknown>,
    options: NormalizedContextOptions,
    sink: HeaderSink | undefined,
    request: RequestLike,
    result: AuthResult<unknown>,
    rejection: AuthError | undefined,
  ) {
    this.realm = auth.realm
    this.rejection = rejection
    this.longLived = !sink
    this.options = options
    this.#auth = auth
    this.#sink = sink
    this.#request = request
    this.#result = result
  }

  challenge(error: AuthError): void {
    if (!this.#sink) return
    // Errors raised by the procedures lack the verifier's `resource_metadata` (RFC 9728 5.1): add it.
    const value = (typeof this.#auth.challenge === 'function' ? this.#auth.challenge(error) : error)
      .wwwAuthenticate
    this.#sent ??= new Set()
    if (this.#sent.has(value)) return
    this.#sent.add(value)
    this.#sink.append('www-authenticate', value)
    // RFC 9449 8: the nonce a `use_dpop_nonce` rejection asks the client to put in its next proof.
    if (error.dpopNonce !== undefined && !this.#sent.has('dpop-nonce')) {
      this.#sent.add('dpop-nonce')
      this.#sink.append('dpop-nonce', error.dpopNonce)
    }
  }

  recheck(): Promise<AuthResult<unknown>> {
    return this.#auth.authenticate(credentialsOf(this.#request, this.#result), { refresh: false })
  }

  verifyAgain(): AuthError | undefined | Promise<AuthError | undefined> {
    const credentials = credentialsOf(this.#request, this.#result)
    // authenticateSync never refreshes, and answers as authenticate would (undefined: wait for it).
    const known = this.#auth.authenticateSync?.(credentials)
    if (known) return verdictOf(known)
    return this.#auth.authenticate(credentials, { refresh: false }).then(verdictOf)
  }

  /** Called once the context exists: the object whose `identity` a renewal replaces. */
  attach(root: { identity: Identity<unknown> | null }, socket: unknown): void {
    this.#root = root
    this.socket = socket
  }

  async renew(credentials: RequestLike): Promise<RenewalOutcome<unknown>> {
    const current = this.#root?.identity
    if (!current) return { status: 'rejected', error: new AuthError('token_missing', 'nothing to renew') }
    const ticket = ++this.#asked
    const outcome = await verifyRenewal(this.#auth, current, credentials)
    if (outcome.status !== 'renewed' || ticket < this.#applied) return outcome
    this.#applied = ticket
    this.#request = credentials
    this.#result = { status: 'authenticated', identity: outcome.identity }
    this.#root!.identity = outcome.identity
    for (const listener of this.#listeners ?? []) listener(outcome.identity)
    return outcome
  }

  onRenew(listener: (identity: Identity<unknown>) => void): () => void {
    this.#listeners ??= new Set()
    this.#listeners.add(listener)
    return () => this.#listeners?.delete(listener)
  }
}

/**
 * The context factory `createAuthContext` returns: takes the adapter's options, gives the context.
 *
 * @example
 * const createContext: AuthContextFactory<FetchCreateContextFnOptions, Claims, { db: Db }> =
 *   createAuthContext(auth, { context: () => ({ db }) })
 */
export type AuthContextFactory<TOpts, Claims, TExtra> = (
  opts: TOpts,
) => Promise<Omit<TExtra, 'identity'> & AuthContext<Claims>>

/**
 * Creates a tRPC `createContext` that verifies the request's token once, with core's `authenticate`,
 * and puts the identity in `ctx.identity`. It works as is with the fetch, standalone, Express,
 * Next.js and WebSocket adapters; refresh cookies and challenges reach the HTTP response.
 *
 * A session is refreshed only where the new cookies reach the browser: an HTTP response. A
 * WebSocket, a hand-made caller context and a running subscription's re-checks never refresh, since
 * a refresh token rotated behind the browser's back ends its session as `refresh_reused`.
 *
 * An invalid or expired token fails the request with `UNAUTHORIZED` (unless `invalidToken:
 * 'anonymous'`); on a WebSocket, where that would close the socket, each call fails instead.
 *
 * @example
 * const auth = createAuth({ issuer, audience, secret })
 * export const createContext = createAuthContext(auth, { context: () => ({ db }) })
 * const t = initTRPC.context<typeof createContext>().create()
 */
export function createAuthContext<
  Claims,
  TOpts extends AuthContextOptions = AuthContextOptions,
  TExtra extends object = object,
>(
  auth: Auth<Claims>,
  options: CreateAuthContextOptions<TOpts, TExtra, Claims> = {},
): AuthContextFactory<TOpts, Claims, TExtra> {
  if (typeof auth?.authenticate !== 'function')
    throw new TypeError('"auth" must be made by createAuth from @portcullis/core')
  const config = normalizeContextOptions(
    options as CreateAuthContextOptions<never, unknown, unknown>,
    auth.now,
  )
  const extend = options.context

  return async (opts) => {
    const sink = headerSink(opts ?? {})
    let request: RequestLike = opts?.req ?? {}
    // A cached token (or no credential) is answered without a promise of core's own; anything
    // that waits (a signature check, a session, a refresh) goes through authenticate.
    let result =
      (typeof auth.authenticateSync === 'function' ? auth.authenticateSync(request) : undefined) ??
      (await auth.authenticate(request, { refresh: sink !== undefined }))
    // Connection params stand in only for a request that carries no credential of its own, and only
    // where the transport puts them: a WebSocket's connection message, or an SSE subscription's URL.
    // Never a plain query or mutation: a crafted `?connectionParams=` link would sign the victim's
    // browser in as someone else, past its own cookie, and put tokens in URLs.
    const params = opts?.info?.connectionParams
    if (params && result.status === 'anonymous' && (!sink || opts?.info?.type === 'subscription')) {
      const mapped = config.connectionParams(params)
      if (mapped) {
        request = mapped
        result = await auth.authenticate(mapped, { refresh: false })
      }
    }
    // A session refresh (or a cleared cookie on rejection) must reach the response, batches included.
    const { setCookie } = result
    if (sink && setCookie) for (const cookie of setCookie) sink.append('set-cookie', cookie)

    // Only an invalid token (401) may count as none: a malformed request (400) and an
    // infrastructure fault (503) are never anonymous.
    const error = result.status === 'rejected' ? result.error : undefined
    const rejection = error && (config.invalidToken === 'reject' || error.status !== 401) ? error : undefined
    const state = new RequestAuthState(auth, config, sink, request, result, rejection)
    if (rejection && sink) {
      // Over HTTP, fail the whole request, so even a bare `t.procedure` never sees a broken token as
      // anonymous. A socket has no response to fail: the procedures report it per call instead.
      state.challenge(rejection)
      throw toTRPCError(rejection)
    }

    const identity = result.status === 'authenticated' ? result.identity : null
    const ctx = extend
      ? { ...(await extend({ ...opts, identity })), identity, [STATE]: state }
      : { identity, [STATE]: state }
    // Only a connection's context is renewed (an HTTP request carries its own token each time).
    if (!sink) state.attach(ctx, isClosable(opts?.res) ? opts.res : undefined)
    return ctx as unknown as Omit<TExtra, 'identity'> & AuthContext<Claims>
  }
}
