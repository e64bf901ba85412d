import { type AuthenticateOptions, type AuthResult, createAuthenticate } from './authenticate.js'
import { TokenCache } from './cache.js'
import { checkConfirmation } from './dpop/confirmation.js'
import { createDpopVerifier } from './dpop/verifier.js'
import { AuthError, withChallenge } from './errors.js'
import { type AuthHealth, healthOf, readyAll } from './health.js'
import type { DefaultClaims, Identity, TokenSource } from './identity.js'
import { checkClaims, checkTimes } from './internal/claims.js'
import { validateClaims } from './internal/claims-schema.js'
import { parseCompact } from './internal/compact.js'
import { type CacheEntry, entryOf as frozenEntryOf } from './internal/entry.js'
import type { RequestLike } from './internal/headers.js'
import { createIntrospector } from './introspection/introspector.js'
import type { RemoteKeySet } from './keys/jwks.js'
import type { VerificationKey } from './keys/key.js'
import type { KeySet } from './keys/key-set.js'
import { verifySignature } from './keys/signature.js'
import { type NormalizedIssuer, normalizeOptions } from './normalize.js'
import type { AuthEvent, AuthOptions } from './options.js'
import type { ProtectedResourceMetadata } from './resource-metadata.js'
import { createRevocationCheck } from './revocation.js'
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
   * refresh, a `revoked` hook that answered with a promise, or more than one credential to compare):
   * call it then; it reuses the hook's pending answer rather than asking again.
   * A session cookie always waits, since its store is read on every request, and so does a copy of this
   * object whose `authenticate` was replaced (its replacement is the check). Adapters use it to stay
   * synchronous on the common path; the answer, events included, is the one `authenticate` gives.
   *
   * @example
   * const result = auth.authenticateSync(request) ?? (await auth.authenticate(request))
   */
  authenticateSync(request: RequestLike): AuthResult<Claims> | undefined
  /**
   * Marks cached remote keys stale and refetches them now; tokens that need a key meanwhile wait for
   * that fetch. Like every refetch, it drops each cached verified token whose key the new key set no
   * longer holds (a rotation, or a key pulled after a compromise): those tokens are checked again, and
   * fail with `key_not_found`. Resolves once the refetches settle; never rejects (an IdP that cannot
   * answer leaves the cached keys serving, within `staleIfError`).
   *
   * @example
   * await auth.invalidate() // the IdP pulled a key: its tokens stop passing now, not at their exp
   */
  invalidate(): Promise<void>
  /** Drops cached remote keys and every cached verified token. */
  clear(): void
  /** The `realm` used in challenges, if configured. */
  readonly realm: string | undefined
  /**
   * Adds this verifier's challenge parameters (`realm`, RFC 9728 `resource_metadata`) to a rejection
   * raised outside it, such as an adapter's `token_missing`; errors from the verifier already have them.
   *
   * @example
   * const error = auth.challenge(new AuthError('token_missing', 'authentication is required'))
   * response.headers.set('www-authenticate', error.wwwAuthenticate)
   */
  challenge(error: AuthError): AuthError
  /**
   * The RFC 9728 protected-resource metadata document built from the `resource` option, or undefined
   * without one. Serve it at {@link resourceMetadataPath} (see `resourceMetadataResponse`).
   *
   * @example
   * app.get(auth.resourceMetadataPath!, (_req, res) => res.json(auth.protectedResourceMetadata()))
   * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
   */
  protectedResourceMetadata(): ProtectedResourceMetadata | undefined
  /** The absolute URL of the metadata document (`resource_metadata` of challenges), if configured. */
  readonly resourceMetadataUrl: string | undefined
  /** The path of the metadata document, to route: `/.well-known/oauth-protected-resource` plus the resource's path. */
  readonly resourceMetadataPath: string | undefined
  /**
   * Whether `authenticate` may put `setCookie` on a result (it does only for sessions). Adapters skip
   * their response hooks when it is false.
   */
  readonly setsCookies: boolean
  /** The clock this verifier checks times against, in milliseconds (the `now` option, or `Date.now`). */
  readonly now: () => number
  /**
   * Warms up: fetches discovery documents and remote key sets not held yet (all at once), and
   * resolves when every issuer's tokens can be checked. Rejects with a `jwks_unavailable` `AuthError`
   * naming the issuers that cannot, and why. Cheap once warm: held keys are not fetched again.
   *
   * @example
   * await auth.ready() // before server.listen(), so the first requests never wait for keys
   */
  ready(): Promise<void>
  /**
   * Per issuer: the time of the last good key fetch, the key count, whether keys are served stale,
   * and the last fetch error. Fetches nothing; `ready` is true while every issuer can be checked.
   *
   * @example
   * // ready() retries what failed (health() alone never fetches, so it would stay not-ready)
   * app.get('/readyz', async (_req, res) => {
   *   res.status(await auth.ready().then(() => 200, () => 503)).json(auth.health())
   * })
   */
  health(): AuthHealth
}

/** Access-token failures a valid refresh cookie recovers from: expiry, and a secret rotated out. */

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
  const { grants, introspectedGrants } = config
  const revocation = config.revoked === undefined ? undefined : createRevocationCheck(config.revoked)
  const cache = config.cacheMax > 0 ? new TokenCache<CacheEntry<Claims>>(config.cacheMax) : undefined
  // Keys their key set stopped publishing (see onRemoved below).
  const pulledKeys = new WeakSet<VerificationKey>()

  const resource = config.resource
  const introspection = config.introspection
  const introspector =
    introspection === undefined
      ? undefined
      : createIntrospector<CacheEntry<Claims>>(introspection, config.cacheMax, now)
  const dpop = config.dpop === undefined ? undefined : createDpopVerifier(config.dpop, now)
  const challengeParams = { realm, resourceMetadata: resource?.url, dpop: dpop?.challenge }
  const withRealm = (error: AuthError) => withChallenge(error, challengeParams)

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
    const jws = parseCompact(token, maxTokenSize)
    const { header, payload } = jws
    if (typeof payload.iss !== 'string') throw new AuthError('claim_invalid', '"iss" claim must be a string')
    // The issuer only picks which keys to try; nothing else is trusted until a signature checks out.
    const issuer = issuers.get(payload.iss)
    if (!issuer) throw new AuthError('claim_invalid', '"iss" claim names an issuer that is not trusted')
    seen.issuer = payload.iss
    const key = await verifySignature(jws, issuer)
    seen.kid = header.kid
    return entryOf(header, payload, issuer, source, key)
  }

  async function entryOf(
    header: Readonly<Record<string, unknown>>,
    payload: Readonly<Record<string, unknown>>,
    issuer: NormalizedIssuer,
    source: TokenSource,
    key?: VerificationKey,
  ): Promise<CacheEntry<Claims>> {
    checkClaims(payload, header, issuer.rules, now() / 1000)
    checkConfirmation(payload, dpop !== undefined)
    const claims = await validateClaims<Claims>(schema, payload)
    // Session tokens carry rights only from issue()'s roles and scopes, never from its claims.
    const fromSessions = issuer === session?.issuer
    const claimsOfGrants = issuer === introspection?.issuer ? introspectedGrants : grants
    return frozenEntryOf(header, payload, issuer, source, claims, claimsOfGrants, fromSessions, key)
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

  // A cached token's identity as read from another source, made once per entry and source.
  const variants = new WeakMap<CacheEntry<Claims>, Partial<Record<TokenSource, CacheEntry<Claims>>>>()

  /** A cached token, re-checked against the clock on every hit, so it never outlives `exp`. */
  function rechecked(entry: CacheEntry<Claims>, source: TokenSource): CacheEntry<Claims> {
    checkTimes(entry.identity.payload, entry.issuer.rules, now() / 1000)
    if (entry.identity.source === source) return entry
    const bySource = variants.get(entry) ?? {}
    if (bySource[source] === undefined) {
      bySource[source] = { ...entry, identity: Object.freeze({ ...entry.identity, source }) }
      variants.set(entry, bySource)
    }
    return bySource[source]
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
    if (revocation !== undefined) {
      let pending: Promise<void> | undefined
      try {
        pending = revocation.ask(token, checked.identity)
      } catch (error) {
        // The token stays cached: the hook is asked again on every request anyway.
        throw rejection(error, token, entry, false, source, started, {})
      }
      if (pending !== undefined) return undefined
    }
    return accepted(checked, true, source, started)
  }

  /** An opaque token, checked by RFC 7662 introspection (its own cache: by hash, bounded by `cacheMaxAge`). */
  async function verifyIntrospected(
    token: string,
    source: TokenSource,
    started: number,
  ): Promise<Identity<Claims>> {
    const issuer = introspection!.issuer
    const seen = { issuer: issuer.rules.issuer }
    let entry: CacheEntry<Claims> | undefined
    let cached = false
    try {
      if (token.length > maxTokenSize)
        throw new AuthError('token_malformed', `token is larger than ${maxTokenSize} bytes`)
      const found = await introspector!.lookup(token, (payload) => entryOf({}, payload, issuer, source))
      cached = found.cached
      entry = rechecked(found.entry, source)
      await revocation?.settle(token, entry.identity)
    } catch (error) {
      // `cached` false: the JWT cache never holds an opaque token, so there is nothing to drop there.
      throw rejection(error, token, entry, false, source, started, seen)
    }
    return accepted(entry, cached, source, started)
  }

  async function verify(
    token: string,
    verifyOptions: { source?: TokenSource } = {},
  ): Promise<Identity<Claims>> {
    const source = verifyOptions.source ?? 'direct'
    const started = onEvent ? performance.now() : 0
    const known = verifyCached(token, source, started)
    if (known) return known
    if (introspector !== undefined && typeof token === 'string' && introspector.handles(token))
      return verifyIntrospected(token, source, started)
    let entry = cache?.get(token)
    const cached = entry !== undefined
    const seen: { issuer?: string; kid?: string } = {}
    try {
      if (entry) {
        entry = rechecked(entry, source)
      } else {
        entry = await verifyUncached(token, source, seen)
        // Its key was pulled while this verification ran (after the removal dropped the cache):
        // fail it as if the key had gone first, and never cache it.
        if (entry.key !== undefined && pulledKeys.has(entry.key))
          throw new AuthError('key_not_found', 'no trusted key matches the token "kid" and "alg"')
        cache?.set(token, entry)
      }
      await entry.issuer.afterVerify?.(entry.identity)
    } catch (error) {
      throw rejection(error, token, entry, cached, source, started, seen)
    }
    if (revocation !== undefined) {
      try {
        await revocation.settle(token, entry.identity)
      } catch (error) {
        // Kept cached: a revoked token presented again costs the hook, not a signature check.
        throw rejection(error, token, entry, false, source, started, seen)
      }
    }
    return accepted(entry, cached, source, started)
  }

  const { authenticate, authenticateSync } = createAuthenticate<Claims>({
    sources,
    session,
    firstSourceWins,
    verify,
    verifyCached,
    isKnown: cache && ((token: string) => cache.isWellFormed(token)),
    emit,
    withRealm,
    started: () => (onEvent ? performance.now() : 0),
    now,
    dpop,
  })

  const keySets = new Set<KeySet>([...issuers.values()].map((issuer) => issuer.keySet))
  // A key the IdP stopped publishing takes every token it verified out of the cache at once, and
  // fails the verifications it is still part of. A key set that publishes the same key again makes a
  // new key object, so a pulled one stays pulled.
  for (const keySet of keySets)
    keySet.onRemoved?.((removed) => {
      for (const key of removed) pulledKeys.add(key)
      cache?.deleteWhere((entry) => entry.key !== undefined && removed.has(entry.key))
    })
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
    challenge: withRealm,
    protectedResourceMetadata: () => resource?.document,
    resourceMetadataUrl: resource?.url,
    resourceMetadataPath: resource?.path,
    async invalidate() {
      await Promise.all([...keySets].map((keySet) => keySet.invalidate()))
    },
    clear() {
      for (const keySet of keySets) (keySet as Partial<RemoteKeySet>).clear?.()
      cache?.clear()
      introspector?.clear()
    },
    ready: () => readyAll(issuers),
    health: () => healthOf(issuers),
  }
}
