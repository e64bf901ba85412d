import { type AuthenticateOptions, type AuthResult, createAuthenticate } from './authenticate.js'
import type { AuthError } from './errors.js'
import { type AuthHealth, healthOf, readyAll } from './health.js'
import type { DefaultClaims, Identity, TokenSource } from './identity.js'
import type { RequestLike } from './internal/headers.js'
import type { RemoteKeySet } from './keys/jwks.js'
import { normalizeOptions } from './normalize.js'
import type { AuthOptions } from './options.js'
import type { ProtectedResourceMetadata } from './resource-metadata.js'
import type { StandardSchemaV1 } from './standard-schema.js'
import { createEntries } from './verification/entries.js'
import { createOutcomes } from './verification/outcomes.js'
import { verifierParts } from './verification/parts.js'
import { watchRemovedKeys } from './verification/removed-keys.js'
import { createVerify } from './verification/verify.js'

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
  const { issuers, sources, realm, onEvent, session, firstSourceWins, resource } = config
  const now = options.now ?? session?.now ?? Date.now
  const parts = verifierParts<Claims>(config, now, options.claims)
  const { cache, introspector, dpop, withRealm } = parts
  const outcomes = createOutcomes(parts)
  const { verify, verifyCached } = createVerify(parts, createEntries(parts), outcomes)

  const { authenticate, authenticateSync } = createAuthenticate<Claims>({
    sources,
    session,
    firstSourceWins,
    verify,
    verifyCached,
    isKnown: cache && ((token: string) => cache.isWellFormed(token)),
    emit: outcomes.emit,
    withRealm,
    started: () => (onEvent ? performance.now() : 0),
    now,
    dpop,
  })

  const keySets = watchRemovedKeys(parts)
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
