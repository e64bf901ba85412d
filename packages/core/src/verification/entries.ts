import { checkConfirmation } from '../dpop/confirmation.js'
import { AuthError } from '../errors.js'
import type { TokenSource } from '../identity.js'
import { checkClaims, checkTimes } from '../internal/claims.js'
import { validateClaims } from '../internal/claims-schema.js'
import { parseCompact } from '../internal/compact.js'
import { type CacheEntry, entryOf as frozenEntryOf } from '../internal/entry.js'
import type { VerificationKey } from '../keys/key.js'
import { verifySignature } from '../keys/signature.js'
import type { NormalizedIssuer } from '../normalize.js'
import type { Seen } from './outcomes.js'
import type { VerifierParts } from './parts.js'

/** How a token becomes a cache entry: parsed, its signature and claims checked, its identity frozen. */
export interface Entries<Claims> {
  /** Verifies a token not cached (a JWS, or a sealed session token); fills `seen` as it learns. */
  verifyUncached(token: string, source: TokenSource, seen: Seen): Promise<CacheEntry<Claims>>
  /** The entry of a payload whose integrity was checked: its claims checked and its identity made. */
  entryOf(
    header: Readonly<Record<string, unknown>>,
    payload: Readonly<Record<string, unknown>>,
    issuer: NormalizedIssuer,
    source: TokenSource,
    key?: VerificationKey,
  ): Promise<CacheEntry<Claims>>
  /** A cached token, re-checked against the clock on every hit, so it never outlives `exp`. */
  rechecked(entry: CacheEntry<Claims>, source: TokenSource): CacheEntry<Claims>
}

/** The verification of one token against the configured issuers, sessions and claim rules. */
export function createEntries<Claims>(parts: VerifierParts<Claims>): Entries<Claims> {
  const { now, schema, dpop } = parts
  const { issuers, maxTokenSize, session, grants, introspectedGrants, introspection } = parts.config

  /** Opens a sealed session token (JWE): decryption is its integrity check, and only sessions seal. */
  async function openSealed(token: string) {
    if (token.length > maxTokenSize)
      throw new AuthError('token_malformed', `token is larger than ${maxTokenSize} bytes`)
    const { header, payload } = await session!.unseal!(token)
    return { header, payload: payload as Record<string, unknown>, issuer: session!.issuer }
  }

  // `seen` collects what a rejection event may report: only values that configuration vouches for.
  async function verifyUncached(token: string, source: TokenSource, seen: Seen): Promise<CacheEntry<Claims>> {
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

  // A cached token's identity as read from another source, made once per entry and source.
  const variants = new WeakMap<CacheEntry<Claims>, Partial<Record<TokenSource, CacheEntry<Claims>>>>()

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

  return { verifyUncached, entryOf, rechecked }
}
