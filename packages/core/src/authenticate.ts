import type { DpopVerifier } from './dpop/verifier.js'
import { AuthError } from './errors.js'
import type { DefaultClaims, Identity, TokenSource } from './identity.js'
import { type HeaderReader, headerReader, type RequestLike } from './internal/headers.js'
import type { AuthEvent } from './options.js'
import type { SessionLink } from './sessions/link.js'
import { isBuiltInBearer, readKnownBearer } from './sources/bearer.js'
import type { TokenReader } from './sources/source.js'

/**
 * What `authenticate` concludes about a request. It never throws for anything the request contains.
 *
 * @example
 * const result: AuthResult = await auth.authenticate(request)
 * if (result.status === 'rejected') return new Response(null, { status: result.error.status })
 */
export type AuthResult<Claims = DefaultClaims> =
  | {
      readonly status: 'authenticated'
      readonly identity: Identity<Claims>
      readonly setCookie?: readonly string[]
    }
  | { readonly status: 'anonymous'; readonly setCookie?: readonly string[] }
  | { readonly status: 'rejected'; readonly error: AuthError; readonly setCookie?: readonly string[] }

/**
 * Options of `authenticate`.
 *
 * @example
 * // A WebSocket upgrade cannot answer with Set-Cookie: verify what it holds, never trade the refresh cookie.
 * const result = await auth.authenticate(upgradeRequest, { refresh: false })
 */
export interface AuthenticateOptions {
  /**
   * Refresh a session whose access cookie is missing or expired, from its refresh cookie. Turn it off
   * wherever the response cannot carry `Set-Cookie` (WebSockets, re-checks of a running stream): the
   * refresh token rotates, and a browser that never receives the new one ends its session with
   * `refresh_reused` at its next refresh. Without refresh, a session failure clears no cookies, and
   * a request holding only the refresh cookie is rejected with `token_expired` (refresh over HTTP
   * first), never taken for anonymous.
   * @default true
   */
  refresh?: boolean
}

type Authenticated<Claims> = Extract<AuthResult<Claims>, { status: 'authenticated' }>

/** Two credentials agree when they name the same subject at the same issuer. */
const sameIdentity = (a: Identity<unknown>, b: Identity<unknown>) =>
  a.subject === b.subject && a.issuer === b.issuer

const REFRESHABLE = new Set<AuthError['code']>(['token_expired', 'key_not_found', 'signature_invalid'])

/** What the request side needs from the verifier `createAuth` builds. */
export interface AuthenticateDeps<Claims> {
  readonly sources: readonly TokenReader[]
  readonly session: SessionLink | undefined
  readonly firstSourceWins: boolean
  readonly verify: (token: string, options: { source: TokenSource }) => Promise<Identity<Claims>>
  /** `verify` without waiting: the identity of a cached token, undefined when `verify` must wait. */
  readonly verifyCached: (token: string, source: TokenSource, started: number) => Identity<Claims> | undefined
  /**
   * Whether a token is cached and well-formed as a bearer token: `bearer()` then skips its regular
   * expression for it (see `readKnownBearer`). Undefined without a cache.
   */
  readonly isKnown?: ((token: string) => boolean) | undefined
  readonly emit: (event: AuthEvent) => void
  readonly withRealm: (error: AuthError) => AuthError
  /** When a verification started, for events (0 without `onEvent`). */
  readonly started: () => number
  /** The verifier's clock, in milliseconds. */
  readonly now: () => number
  /** DPoP proof checks (RFC 9449), when configured: run on every request, cached token or not. */
  readonly dpop?: DpopVerifier | undefined
}

/**
 * `authenticate` and `authenticateSync` over a verifier: read every source of a request, verify each
 * credential once, refresh a session, and make sure all credentials name one identity.
 *
 * @example
 * const { authenticate, authenticateSync } = createAuthenticate({ sources, session, firstSourceWins: false, verify, verifyCached, emit, withRealm, started })
 */
export function createAuthenticate<Claims>(deps: AuthenticateDeps<Claims>): {
  authenticate(request: RequestLike, options?: AuthenticateOptions): Promise<AuthResult<Claims>>
  authenticateSync(request: RequestLike): AuthResult<Claims> | undefined
} {
  const {
    sources,
    session,
    firstSourceWins,
    verify,
    verifyCached,
    isKnown,
    emit,
    withRealm,
    started,
    now,
    dpop,
  } = deps
  // Which sources may take the shortcut for a known bearer token: decided once, not per request.
  const shortcut = sources.map((reader) => isKnown !== undefined && isBuiltInBearer(reader))

  /**
   * The session cookie: verify it, or refresh from the refresh cookie when it is missing or expired.
   * Undefined when the request has neither cookie, so the next source gets its turn.
   */
  async function authenticateSession(
    link: SessionLink,
    headers: HeaderReader,
    token: string | undefined,
    refresh: boolean,
  ): Promise<AuthResult<Claims> | undefined> {
    let failure: AuthError | undefined
    try {
      if (token !== undefined) {
        try {
          const identity = await verify(token, { source: 'session' })
          const expiresAt = identity.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY
          if (refresh && link.refreshBefore > 0 && expiresAt - now() < link.refreshBefore)
            return (
              (await refreshEarly(link, headers, expiresAt, identity.sessionId)) ?? {
                status: 'authenticated',
                identity,
              }
            )
          return { status: 'authenticated', identity }
        } catch (error) {
          if (!(error instanceof AuthError) || !REFRESHABLE.has(error.code)) throw error
          failure = error
        }
      }
      const refreshed = refresh ? await link.refresh(headers) : undefined
      if (!refreshed) {
        if (failure) throw failure
        // A refresh cookie alone is a session, not "no credentials": without refresh (a WebSocket),
        // tell the client to refresh where a response can carry the new cookies, then come back.
        if (!refresh && link.hasRefresh(headers))
          throw new AuthError(
            'token_expired',
            'the access cookie is missing; refresh the session over HTTP first',
          )
        return undefined
      }
      const identity = await verify(refreshed.accessToken, { source: 'session' })
      return { status: 'authenticated', identity, setCookie: refreshed.setCookie }
    } catch (error) {
      // A session that is over gets its cookies cleared, so the browser stops sending them.
      if (error instanceof AuthError && error.status === 401)
        return refresh
          ? { status: 'rejected', error: withRealm(error), setCookie: link.clearCookies }
          : { status: 'rejected', error: withRealm(error) }
      throw error
    }
  }

  /**
   * Proactive refresh (`refreshBefore`): a valid access token near its end is traded now, so a long
   * request or stream does not outlive it. Undefined keeps the current token: no refresh cookie, no
   * gain, or a store fault (the token is still good: no 503 for it). A 401 (revoked, reused) throws.
   */
  async function refreshEarly(
    link: SessionLink,
    headers: HeaderReader,
    expiresAt: number,
    sessionId: string | undefined,
  ): Promise<AuthResult<Claims> | undefined> {
    let refreshed: Awaited<ReturnType<SessionLink['refresh']>>
    try {
      refreshed = await link.refresh(headers, expiresAt, sessionId)
    } catch (error) {
      if (error instanceof AuthError && error.status === 503) return undefined
      throw error
    }
    if (!refreshed) return undefined
    const next = await verify(refreshed.accessToken, { source: 'session' })
    return { status: 'authenticated', identity: next, setCookie: refreshed.setCookie }
  }

  /** A source's token, if any; a malformed or ambiguous header is reported, then thrown. */
  function tokenOf(reader: TokenReader, headers: HeaderReader, fast = false): string | undefined {
    try {
      return fast ? readKnownBearer(headers, isKnown!) : reader.read(headers)
    } catch (error) {
      // An ambiguous or malformed header never reaches verify(): report it all the same.
      if (error instanceof AuthError)
        emit({
          type: 'rejected',
          code: error.code,
          issuer: undefined,
          kid: undefined,
          source: reader.kind,
          durationMs: 0,
        })
      throw error
    }
  }

  const ANONYMOUS: AuthResult<Claims> = Object.freeze({ status: 'anonymous' })

  function rejected(error: unknown, headers?: HeaderReader): AuthResult<Claims> {
    if (error instanceof AuthError)
      return { status: 'rejected', error: withRealm(dpop ? dpop.withScheme(error, headers) : error) }
    throw error
  }

  /**
   * Every source, as far as it goes without waiting: the result, or undefined when a token needs
   * waiting for (a signature check, a store read, a refresh) or the request carries more than one.
   */
  function authenticateSync(request: RequestLike): AuthResult<Claims> | undefined {
    // A session cookie always waits: its store is read on every request.
    if (session) return undefined
    let headers: HeaderReader | undefined
    try {
      headers = headerReader(request)
      let token: string | undefined
      let kind: TokenSource = 'direct'
      let from: TokenReader | undefined
      for (let index = 0; index < sources.length; index++) {
        const reader = sources[index]!
        const found = tokenOf(reader, headers, shortcut[index])
        if (found === undefined) continue
        // The same token twice is one credential; a second one must be verified and compared, which
        // waits (it is rare).
        if (found === token) continue
        if (token !== undefined) return undefined
        token = found
        kind = reader.kind
        from = reader
        if (firstSourceWins) break
      }
      if (token === undefined) return ANONYMOUS
      const identity = verifyCached(token, kind, started())
      // A DPoP proof is checked on every request, which waits (a signature, a store write).
      if (identity && dpop && dpop.bindingOf(identity, from!, headers) !== undefined) return undefined
      return identity && { status: 'authenticated', identity }
    } catch (error) {
      return rejected(error, headers)
    }
  }

  /** One source's credential, verified (and, for the session cookie, refreshed); undefined if none. */
  async function credentialOf(
    reader: TokenReader,
    token: string | undefined,
    headers: HeaderReader,
    refresh: boolean,
    request: RequestLike,
  ): Promise<AuthResult<Claims> | undefined> {
    if (session && reader === session.reader) return authenticateSession(session, headers, token, refresh)
    if (token === undefined) return undefined
    const identity = await verify(token, { source: reader.kind })
    if (dpop) {
      // Never cached: a proof is checked on every request, a cache hit included.
      try {
        const jkt = dpop.bindingOf(identity, reader, headers)
        if (jkt !== undefined) await dpop.checkProof(request, headers, token, jkt)
      } catch (error) {
        if (error instanceof AuthError) {
          const { issuer, keyId: kid } = identity
          emit({ type: 'rejected', code: error.code, issuer, kid, source: reader.kind, durationMs: 0 })
        }
        throw error
      }
    }
    return { status: 'authenticated', identity }
  }

  /** Every source, waiting where it needs to: each credential must verify, and all must agree. */
  async function authenticateWaiting(request: RequestLike, refresh: boolean): Promise<AuthResult<Claims>> {
    let headers: HeaderReader | undefined
    try {
      headers = headerReader(request)
      if (firstSourceWins) {
        for (const reader of sources) {
          const result = await credentialOf(reader, tokenOf(reader, headers), headers, refresh, request)
          if (result) return result
        }
        return ANONYMOUS
      }
      // Read them all first: a malformed or ambiguous source rejects the request whatever the others hold.
      const tokens = sources.map((reader) => tokenOf(reader, headers!))
      let chosen: Authenticated<Claims> | undefined
      const verified = new Set<string>()
      // The session cookie (source 0) goes last: a refresh rotates its cookies, which a rejection of
      // another credential after it would throw away. It still outranks the others when all agree.
      const start = session ? 1 : 0
      for (let step = 0; step < sources.length; step++) {
        const index = (start + step) % sources.length
        const reader = sources[index]!
        const token = tokens[index]
        // The same token in two places is one credential: verified once.
        if (token !== undefined && verified.has(token)) continue
        const result = await credentialOf(reader, token, headers, refresh, request)
        if (token !== undefined) verified.add(token)
        if (result === undefined) continue
        if (result.status !== 'authenticated') return result
        if (chosen !== undefined && !sameIdentity(chosen.identity, result.identity))
          return disagreement(reader.kind, result.setCookie)
        if (chosen === undefined || (session && index === 0)) chosen = result
      }
      return chosen ?? ANONYMOUS
    } catch (error) {
      return rejected(error, headers)
    }
  }

  /**
   * Credentials that name different identities: which one the client meant cannot be told (RFC 6750
   * 3.1, more than one method). A session refreshed on the way keeps its new cookies, so the
   * rotation is not lost.
   */
  function disagreement(source: TokenSource, setCookie: readonly string[] | undefined): AuthResult<Claims> {
    const error = new AuthError('token_ambiguous', 'request carries credentials for different identities')
    emit({ type: 'rejected', code: error.code, issuer: undefined, kid: undefined, source, durationMs: 0 })
    const result = rejected(error)
    return setCookie ? { ...result, setCookie } : result
  }

  async function authenticate(
    request: RequestLike,
    authenticateOptions?: AuthenticateOptions,
  ): Promise<AuthResult<Claims>> {
    // What is known without waiting is answered so; the rest starts over, reading the headers again
    // (a few microseconds, on a path that waits for a signature check or a store anyway).
    return authenticateSync(request) ?? authenticateWaiting(request, authenticateOptions?.refresh !== false)
  }

  return { authenticate, authenticateSync }
}
