import { TokenCache } from '../cache.js'
import { createDpopVerifier, type DpopVerifier } from '../dpop/verifier.js'
import { type AuthError, withChallenge } from '../errors.js'
import type { CacheEntry } from '../internal/entry.js'
import { createIntrospector, type Introspector } from '../introspection/introspector.js'
import type { VerificationKey } from '../keys/key.js'
import type { NormalizedOptions } from '../normalize.js'
import { createRevocationCheck, type RevocationCheck } from '../revocation.js'
import type { StandardSchemaV1 } from '../standard-schema.js'

/** What every step of a verifier shares: its checked options and the parts built from them, once. */
export interface VerifierParts<Claims> {
  readonly config: NormalizedOptions
  /** The clock, in milliseconds. */
  readonly now: () => number
  /** The `claims` schema, when given. */
  readonly schema: StandardSchemaV1 | undefined
  /** Verified tokens, when caching is on (`cache.max` above 0). */
  readonly cache: TokenCache<CacheEntry<Claims>> | undefined
  readonly revocation: RevocationCheck | undefined
  readonly introspector: Introspector<CacheEntry<Claims>> | undefined
  readonly dpop: DpopVerifier | undefined
  /** Adds this verifier's challenge parameters (realm, resource metadata, DPoP) to a rejection. */
  readonly withRealm: (error: AuthError) => AuthError
  /** Keys their key set stopped publishing (see `watchRemovedKeys`). */
  readonly pulledKeys: WeakSet<VerificationKey>
}

/** Builds the parts of a verifier from its checked options: cache, revocation, introspection, DPoP, challenge. */
export function verifierParts<Claims>(
  config: NormalizedOptions,
  now: () => number,
  schema: StandardSchemaV1 | undefined,
): VerifierParts<Claims> {
  const revocation = config.revoked === undefined ? undefined : createRevocationCheck(config.revoked)
  const cache = config.cacheMax > 0 ? new TokenCache<CacheEntry<Claims>>(config.cacheMax) : undefined
  const introspection = config.introspection
  const introspector =
    introspection === undefined
      ? undefined
      : createIntrospector<CacheEntry<Claims>>(introspection, config.cacheMax, now)
  const dpop = config.dpop === undefined ? undefined : createDpopVerifier(config.dpop, now)
  const challengeParams = {
    realm: config.realm,
    resourceMetadata: config.resource?.url,
    dpop: dpop?.challenge,
  }
  return {
    config,
    now,
    schema,
    cache,
    revocation,
    introspector,
    dpop,
    withRealm: (error: AuthError) => withChallenge(error, challengeParams),
    pulledKeys: new WeakSet<VerificationKey>(),
  }
}
