import { type GrantClaims, grantsOf, type Identity, type TokenSource } from '../identity.js'
import type { VerificationKey } from '../keys/key.js'
import type { NormalizedIssuer } from '../normalize.js'
import { FrozenDate } from './frozen-date.js'

/** What the verified-token cache holds: the identity, and the issuer whose rules re-check it. */
export interface CacheEntry<Claims> {
  readonly identity: Identity<Claims>
  readonly issuer: NormalizedIssuer
  /** The key that verified the signature (none for sealed sessions). */
  readonly key?: VerificationKey
}

/**
 * Freezes a verified value all the way down: a cache hit hands the same object to every request. (A
 * `Date`'s instant is out of its reach: the identity's own dates are `FrozenDate`s.)
 */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const item of Object.values(value)) deepFreeze(item)
  }
  return value
}

/**
 * The frozen cache entry of a payload whose signature and claims checked out. `fromSessions` marks a
 * session token: its roles and scopes come only from what `issue()` wrote (see `grantsOf`).
 *
 * @example
 * const entry = entryOf(header, payload, issuer, 'bearer', claims, { roles: ['roles'], scopes: ['scope'] }, false)
 */
export function entryOf<Claims>(
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
  issuer: NormalizedIssuer,
  source: TokenSource,
  claims: Claims,
  grantClaims: GrantClaims,
  fromSessions: boolean,
  key?: VerificationKey,
): CacheEntry<Claims> {
  const { roles, scopes } = grantsOf(payload, grantClaims, fromSessions)
  const identity: Identity<Claims> = deepFreeze({
    subject: payload.sub as string,
    issuer: payload.iss as string,
    audience: typeof payload.aud === 'string' ? [payload.aud] : ((payload.aud as string[] | undefined) ?? []),
    scopes,
    roles,
    sessionId: payload.sid as string | undefined,
    // Dates the freeze below cannot reach: their setters throw instead (see frozen-date.ts).
    expiresAt: new FrozenDate((payload.exp as number) * 1000),
    issuedAt: typeof payload.iat === 'number' ? new FrozenDate(payload.iat * 1000) : undefined,
    keyId: header.kid as string | undefined,
    source,
    claims,
    payload,
  })
  return { identity, issuer, key }
}
