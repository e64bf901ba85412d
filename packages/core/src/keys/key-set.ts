import type { Algorithm, VerificationKey } from './key.js'

/** Where verification keys come from: a fixed list, or a remote JWKS. */
export interface KeySet {
  /** Keys that may verify a token with this `kid` and `alg`, or none. */
  candidates(
    kid: string | undefined,
    alg: Algorithm,
  ): Promise<readonly VerificationKey[]> | readonly VerificationKey[]
  /** Forgets cached keys so the next token refetches them (remote sets only). */
  invalidate(): void
}

/**
 * Picks the keys for a token header: keys whose `kid` matches, or, when no key has a `kid`,
 * every key that supports `alg`. A `kid` the set does not know matches nothing. A token without a
 * `kid` matches the keys without one, or the set's only key for `alg` (OIDC Core 10.1 lets a token
 * omit `kid` only then), never every key of a large set: one forged token would cost them all.
 */
export function selectKeys(
  keys: readonly VerificationKey[],
  kid: string | undefined,
  alg: Algorithm,
): VerificationKey[] {
  const usable = keys.filter((key) => key.algorithms.includes(alg))
  if (kid === undefined) {
    const unnamed = usable.filter((key) => key.kid === undefined)
    return unnamed.length > 0 || usable.length !== 1 ? unnamed : usable
  }
  const byKid = usable.filter((key) => key.kid === kid)
  if (byKid.length > 0 || keys.some((key) => key.kid !== undefined)) return byKid
  return usable
}

/** The `kid` values that more than one key in a set claims. */
export function duplicateKids(keys: readonly VerificationKey[]): Set<string> {
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  for (const { kid } of keys) {
    if (kid === undefined) continue
    if (seen.has(kid)) duplicates.add(kid)
    seen.add(kid)
  }
  return duplicates
}

/**
 * A fixed set of keys given in options. Two keys with one `kid` make the set ambiguous (which key did the
 * token mean?), so that is a `TypeError` naming `option`.
 */
export function localKeySet(keys: readonly VerificationKey[], option = 'keys'): KeySet {
  const [duplicate] = duplicateKids(keys)
  if (duplicate !== undefined) throw new TypeError(`"${option}" has more than one key with the same "kid"`)
  return { candidates: (kid, alg) => selectKeys(keys, kid, alg), invalidate() {} }
}
