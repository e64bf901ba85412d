import type { Algorithm, VerificationKey } from './key.js'

/** Where verification keys come from: a fixed list, or a remote JWKS. */
export interface KeySet {
  /** Keys that may verify a token with this `kid` and `alg`, or none. */
  candidates(
    kid: string | undefined,
    alg: Algorithm,
  ): Promise<readonly VerificationKey[]> | readonly VerificationKey[]
  /**
   * Marks cached keys stale and refetches them now (remote sets only); the next token waits for that
   * fetch. Resolves when it settles, and never rejects: a failed fetch keeps the stale keys serving.
   */
  invalidate(): Promise<void> | void
  /** What the set holds now, for `auth.health()`. */
  status(): KeySetStatus
  /** Resolves once the set holds usable keys (a remote set fetches them); rejects with `jwks_unavailable`. */
  ready(): Promise<void>
  /** Calls `listener` with the keys a refetch no longer holds (remote sets only). */
  onRemoved?(listener: (removed: ReadonlySet<VerificationKey>) => void): void
}

/**
 * What a key set holds, as `auth.health()` reports it.
 *
 * @example
 * const { keys, stale } = keySet.status()
 */
export interface KeySetStatus {
  /** `'remote'` for a JWKS URL or discovery, `'local'` for keys given in options. */
  readonly kind: 'remote' | 'local'
  /** The key set URL last fetched (remote sets, once known). */
  readonly url: string | undefined
  /** How many usable keys are held. */
  readonly keys: number
  /** When the keys were last fetched successfully, in milliseconds (remote sets). */
  readonly fetchedAt: number | undefined
  /** True when the keys are past `maxAge` and served only because a refetch failed or is under way. */
  readonly stale: boolean
  /** True when tokens can be checked now: the keys are fresh, or stale within `staleIfError`. */
  readonly usable: boolean
  /** Why the last fetch failed, if it did (never a header value or response text). */
  readonly lastError: string | undefined
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
  const status: KeySetStatus = Object.freeze({
    kind: 'local',
    url: undefined,
    keys: keys.length,
    fetchedAt: undefined,
    stale: false,
    usable: true,
    lastError: undefined,
  })
  return {
    candidates: (kid, alg) => selectKeys(keys, kid, alg),
    invalidate() {},
    status: () => status,
    ready: async () => {},
  }
}
