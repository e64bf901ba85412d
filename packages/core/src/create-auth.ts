import { TokenCache } from './cache.js'
import { AuthError } from './errors.js'
import { DEFAULT_ROLE_CLAIMS, type DefaultClaims, type Identity, type TokenSource } from './identity.js'
import { checkClaims, checkTimes } from './internal/claims.js'
import { validateClaims } from './internal/claims-schema.js'
import { parseCompact } from './internal/compact.js'
import { type CacheEntry, entryOf as frozenEntryOf } from './internal/entry.js'
import { type HeaderReader, headerReader, type RequestLike } from './internal/headers.js'
import type { RemoteKeySet } from './keys/jwks.js'
import type { KeySet } from './keys/key-set.js'
import { verifySignature } from './keys/signature.js'
import { type NormalizedIssuer, normalizeOptions } from './normalize.js'
import type { AuthEvent, AuthOptions } from './options.js'
import type { SessionLink } from './sessions/link.js'
import type { StandardSchemaV1 } from './standard-schema.js'

/**
 * The `identity.claims` type for a `claims` schema: its output, or the raw payload without one.
 *
 * @example
 * type Claims = ClaimsOf<typeof schema> // the schema's output type
 */
export type ClaimsOf<Schema> = Schema extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<Schema>
  : DefaultClaims

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
   * `refresh_reused` at its next refresh. Without refresh, a session failure clears no cookies.
   * @default true
   */
  refresh?: boolean
}

/**
 * A configured verifier, made by {@link createAuth}.
 *
 * @example
 * const auth: Auth = createAuth({ issuer, audience, jwks })
 */
export interface Auth<Claims = DefaultClaims> {
  /** Verifies a token and returns its identity; throws an `AuthError` for any rejection. */
  verify(token: string, options?: { source?: TokenSource }): Promise<Identity<Claims>>
  /**
   * Reads every source of a request and verifies what they hold: several credentials must all verify
   * and name the same `sub` and `iss` (else `token_ambiguous`, 400), unless `firstSourceWins`. Never
   * throws for request content; a value that is no request is a `TypeError`.
   */
  authenticate(request: RequestLike, options?: AuthenticateOptions): Promise<AuthResult<Claims>>
  /**
   * `authenticate`'s answer when it is known without waiting: no credentials, a malformed or
   * ambiguous header, or a single token already verified and still cached. Undefined when
   * `authenticate` has work to wait for (a signature check, a key fetch, a session store read or
   * refresh, or more than one credential to compare): call it then.
   * A session cookie always waits, since its store is read on every request, and so does a copy of this
   * object whose `authenticate` was replaced (its replacement is the check). Adapters use it to stay
   * synchronous on the common path; the answer, events included, is the one `authenticate` gives.
   *
   * @example
   * const result = auth.authenticateSync(request) ?? (await auth.authenticate(request))
   */
  authenticateSync(request: RequestLike): AuthResult<Claims> | undefined
  /** Marks cached remote keys stale, so the next token refetches them. */
  invalidate(): void
  /** Drops cached remote keys and every cached verified token. */
  clear(): void
  /** The `realm` used in challenges, if configured. */
  readonly realm: string | undefined
  /**
   * Whether `authenticate` may put `setCookie` on a result (it does only for sessions). Adapters skip
   * their response hooks when it is false.
   */
  readonly setsCookies: boolean
  /** The clock this verifier checks times against, in milliseconds (the `now` option, or `Date.now`). */
  readonly now: () => number
}

/** Access-token failures a valid refresh cookie recovers from: expiry, and a secret rotated out. */
type Authenticated<Claims> = Extract<AuthResult<Claims>, { status: 'authenticated' }>

/** Two credentials agree when they name the same subject at the same issuer. */
const sameIdentity = (a: Identity<unknown>, b: Identity<unknown>) =>
  a.subject === b.subject && a.issuer === b.issuer

const REFRESHABLE = new Set<AuthError['code']>(['token_expired', 'key_not_found', 'signature_invalid'])

/**
 * Creates a verifier for bearer JWTs and session cookies. Options are checked here, once; a mistake
 * throws a `TypeError` naming the option.
 *
 * @example
 * const auth = createAuth({
 *   issuer: 'https://id.example.com/',
 *   audience: 'https://api.example.com',
 *   secret: 'a-shared-secret-of-at-least-32-bytes!!',
 * })
 * const result = await auth.authenticate(request)
 */
export function createAuth<Schema extends StandardSchemaV1 | undefined = undefined>(
  options: AuthOptions<Schema>,
): Auth<ClaimsOf<Schema>> {
  type Claims = ClaimsOf<Schema>
  const config = normalizeOptions(options as AuthOptions<StandardSchemaV1 | undefined>)
  const { issuers, sources, maxTokenSize, realm, onEvent, session, firstSourceWins } = config
  const now = options.now ?? session?.now ?? Date.now
  const schema = options.claims
  const roleClaims = options.roles?.claims ?? DEFAULT_ROLE_CLAIMS
  const cache = config.cacheMax > 0 ? new TokenCache<CacheEntry<Claims>>(config.cacheMax) : undefined

  const withRealm = (error: AuthError) =>
    realm === undefined || error.realm !== undefined
      ? error
      : new AuthError(error.code, error.message, {
          realm,
          scopes: error.scopes,
          roles: error.roles,
          status: error.status,
          cause: error.cause,
        })

  /** Opens a sealed session token (JWE): decryption is its integrity check, and only sessions seal. */
  async function openSealed(token: string) {
    if (token.length > maxTokenSize)
      throw new AuthError('token_malformed', `token is larger than ${maxTokenSize} bytes`)
    const { header, payload } = await session!.unseal!(token)
    return { header, payload: payload as Record<string, unknown>, issuer: session!.issuer }
  }

  // `seen` collects what a rejection event may report: only values that configuration vouches for.
  async function verifyUncached(
    token: string,
    source: TokenSource,
    seen: { issuer?: string; kid?: string },
  ): Promise<CacheEntry<Claims>> {
    if (session?.unseal && typeof token === 'string' && token.split('.', 6).length === 5) {
      const { header, payload, issuer } = await openSealed(token)
      seen.issuer = issuer.rules.issuer
      return entryOf(header, payload, issuer, source)
    }
    const { header, payload } = parseCompact(token, maxTokenSize)
    if (typeof payload.iss !== 'string') throw new AuthError('claim_invalid', '"iss" claim must be a string')
    // The issuer only picks which keys to try; nothing else is trusted until a signature checks out.
    const issuer = issuers.get(payload.iss)
    if (!issuer) throw new AuthError('claim_invalid', '"iss" claim names an issuer that is not trusted')
    seen.issuer = payload.iss
    await verifySignature(token, header, issuer)
    seen.kid = header.kid
    return entryOf(header, payload, issuer, source)
  }

  async function entryOf(
    header: Readonly<Record<string, unknown>>,
    payload: Readonly<Record<string, unknown>>,
    issuer: NormalizedIssuer,
    source: TokenSource,
  ): Promise<CacheEntry<Claims>> {
    checkClaims(payload, header, issuer.rules, now() / 1000)
    const claims = await validateClaims<Claims>(schema, payload)
    // Session tokens carry rights only from issue()'s roles and scopes, never from its claims.
    const fromSessions = issuer === session?.issuer
    return frozenEntryOf(header, payload, issuer, source, claims, roleClaims, fromSessions)
  }

  function emit(event: AuthEvent): void {
    if (!onEvent) return
    try {
      onEvent(event)
    } catch {
      // A faulty metrics hook must not turn into an authentication failure.
    }
  }

  /** Reports a rejection (dropping a cached token that failed its re-check) and gives the error to throw. */
  function rejection(
    error: unknown,
    token: string,
    entry: CacheEntry<Claims> | undefined,
    cached: boolean,
    source: TokenSource,
    started: number,
    seen: { issuer?: string; kid?: string },
  ): unknown {
    if (cached) cache?.delete(token)
    if (!(error instanceof AuthError)) return error
    if (onEvent) {
      emit({
        type: 'rejected',
        code: error.code,
        issuer: entry?.identity.issuer ?? seen.issuer,
        kid: entry?.identity.keyId ?? seen.kid,
        source,
        durationMs: performance.now() - started,
      })
    }
    return withRealm(error)
  }

  function accepted(entry: CacheEntry<Claims>, cached: boolean, source: TokenSource, started: number) {
    if (onEvent) {
      const { issuer, keyId } = entry.identity
      emit({ type: 'verified', issuer, kid: keyId, source, cached, durationMs: performance.now() - started })
    }
    return entry.identity
  }

  /** A cached token, re-checked against the clock on every hit, so it never outlives `exp`. */
  function rechecked(entry: CacheEntry<Claims>, source: TokenSource): CacheEntry<Claims> {
    checkTimes(entry.identity.payload, entry.issuer.rules, now() / 1000)
    return entry.identity.source === source
      ? entry
      : { ...entry, identity: Object.freeze({ ...entry.identity, source }) }
  }

  /**
   * `verify` without waiting: the identity of a cached token whose issuer needs no store read after
   * verification, or undefined when `verify` has work to wait for. Throws the rejection like `verify`.
   */
  function verifyCached(token: string, source: TokenSource, started: number): Identity<Claims> | undefined {
    const entry = cache?.get(token)
    if (entry === undefined || entry.issuer.afterVerify) return undefined
    let checked: CacheEntry<Claims>
    try {
      checked = rechecked(entry, source)
    } catch (error) {
      throw rejection(error, token, entry, true, source, started, {})
    }
    return accepted(checked, true, source, started)
  }

  async function verify(
    token: string,
    verifyOptions: { source?: TokenSource } = {},
  ): Promise<Identity<Claims>> {
    const source = verifyOptions.source ?? 'direct'
    const started = onEvent ? performance.now() : 0
    const known = verifyCached(token, source, started)
    if (known) return known
    let entry = cache?.get(token)
    const cached = entry !== undefined
    const seen: { issuer?: string; kid?: string } = {}
    try {
      if (entry) {
        entry = rechecked(entry, source)
      } else {
        entry = await verifyUncached(token, source, seen)
        cache?.set(token, entry)
      }
      await entry.issuer.afterVerify?.(entry.identity)
    } catch (error) {
      throw rejection(error, token, entry, cached, source, started, seen)
    }
    return accepted(entry, cached, source, started)
  }

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
          return { status: 'authenticated', identity: await verify(token, { source: 'session' }) }
        } catch (error) {
          if (!(error instanceof AuthError) || !REFRESHABLE.has(error.code)) throw error
          failure = error
        }
      }
      const refreshed = refresh ? await link.refresh(headers) : undefined
      if (!refreshed) {
        if (failure) throw failure
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

  /** A source's token, if any; a malformed or ambiguous header is reported, then thrown. */
  function tokenOf(reader: (typeof sources)[number], headers: HeaderReader): string | undefined {
    try {
      return reader.read(headers)
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

  function rejected(error: unknown): AuthResult<Claims> {
    if (error instanceof AuthError) return { status: 'rejected', error: withRealm(error) }
    throw error
  }

  /**
   * Every source, as far as it goes without waiting: the result, or undefined when a token needs
   * waiting for (a signature check, a store read, a refresh) or the request carries more than one.
   */
  function authenticateSync(request: RequestLike): AuthResult<Claims> | undefined {
    // A session cookie always waits: its store is read on every request.
    if (session) return undefined
    try {
      const headers = headerReader(request)
      let token: string | undefined
      let kind: TokenSource = 'direct'
      for (const reader of sources) {
        const found = tokenOf(reader, headers)
        if (found === undefined) continue
        // A second credential must be verified and compared: that waits (it is rare).
        if (found === token) continue
        if (token !== undefined) return undefined
        token = found
        kind = reader.kind
        if (firstSourceWins) break
      }
      if (token === undefined) return ANONYMOUS
      const identity = verifyCached(token, kind, onEvent ? performance.now() : 0)
      return identity && { status: 'authenticated', identity }
    } catch (error) {
      return rejected(error)
    }
  }

  /** One source's credential, verified (and, for the session cookie, refreshed); undefined if none. */
  async function credentialOf(
    reader: (typeof sources)[number],
    token: string | undefined,
    headers: HeaderReader,
    refresh: boolean,
  ): Promise<AuthResult<Claims> | undefined> {
    if (session && reader === session.reader) return authenticateSession(session, headers, token, refresh)
    if (token === undefined) return undefined
    return { status: 'authenticated', identity: await verify(token, { source: reader.kind }) }
  }

  /** Every source, waiting where it needs to: each credential must verify, and all must agree. */
  async function authenticateWaiting(request: RequestLike, refresh: boolean): Promise<AuthResult<Claims>> {
    try {
      const headers = headerReader(request)
      if (firstSourceWins) {
        for (const reader of sources) {
          const result = await credentialOf(reader, tokenOf(reader, headers), headers, refresh)
          if (result) return result
        }
        return ANONYMOUS
      }
      // Read them all first: a malformed or ambiguous source rejects the request whatever the others hold.
      const tokens = sources.map((reader) => tokenOf(reader, headers))
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
        const result = await credentialOf(reader, token, headers, refresh)
        if (token !== undefined) verified.add(token)
        if (result === undefined) continue
        if (result.status !== 'authenticated') return result
        if (chosen !== undefined && !sameIdentity(chosen.identity, result.identity))
          return disagreement(reader.kind, result.setCookie)
        if (chosen === undefined || (session && index === 0)) chosen = result
      }
      return chosen ?? ANONYMOUS
    } catch (error) {
      return rejected(error)
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

  const keySets = new Set<KeySet>([...issuers.values()].map((issuer) => issuer.keySet))
  return {
    setsCookies: session !== undefined,
    now,
    verify,
    authenticate,
    authenticateSync(this: Partial<Auth<Claims>> | undefined, request: RequestLike) {
      // A copy whose `authenticate` was replaced ({ ...auth, authenticate() {...} }, to add a check)
      // must go through that function: answering from the cache here would skip the added check.
      if (this?.authenticate !== undefined && this.authenticate !== authenticate) return undefined
      return authenticateSync(request)
    },
    realm,
    invalidate() {
      for (const keySet of keySets) keySet.invalidate()
    },
    clear() {
      for (const keySet of keySets) (keySet as Partial<RemoteKeySet>).clear?.()
      cache?.clear()
    },
  }
}
