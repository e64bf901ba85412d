import { AuthError } from './errors.js'
import type { KeySet } from './keys/key-set.js'
import type { NormalizedIssuer } from './normalize.js'

/**
 * What `auth.health()` reports for one trusted issuer.
 *
 * @example
 * const [first] = auth.health().issuers
 * if (first.stale) log.warn(`keys of ${first.issuer} are stale: ${first.lastError}`)
 */
export interface IssuerHealth {
  /** The `iss` value. */
  readonly issuer: string
  /** `'remote'` for a JWKS URL or discovery, `'local'` for keys, secrets and sessions. */
  readonly kind: 'remote' | 'local'
  /** The key set URL last fetched (remote issuers, once known). */
  readonly url: string | undefined
  /** How many usable keys are held. */
  readonly keys: number
  /** When the keys were last fetched successfully (remote issuers). */
  readonly lastFetchedAt: Date | undefined
  /** True when the keys are past `jwksOptions.maxAge` and served stale while a refetch fails. */
  readonly stale: boolean
  /** True when tokens of this issuer can be checked now. */
  readonly ready: boolean
  /** Why the last fetch failed, if it did: never a header value or response text. */
  readonly lastError: string | undefined
}

/**
 * What `auth.health()` returns: whether every issuer can be checked now, and the detail per issuer.
 *
 * @example
 * const { ready, issuers } = auth.health()
 * response.statusCode = ready ? 200 : 503
 */
export interface AuthHealth {
  /** True when every issuer's tokens can be checked now (fresh keys, or stale within `staleIfError`). */
  readonly ready: boolean
  readonly issuers: readonly IssuerHealth[]
}

/**
 * Reads every issuer's key set status; nothing is fetched.
 *
 * @example
 * const health = healthOf(config.issuers) // what auth.health() returns
 */
export function healthOf(issuers: ReadonlyMap<string, NormalizedIssuer>): AuthHealth {
  const list: IssuerHealth[] = []
  for (const [issuer, { keySet }] of issuers) {
    const status = keySet.status()
    list.push(
      Object.freeze({
        issuer,
        kind: status.kind,
        url: status.url,
        keys: status.keys,
        lastFetchedAt: status.fetchedAt === undefined ? undefined : new Date(status.fetchedAt),
        stale: status.stale,
        ready: status.usable,
        lastError: status.lastError,
      }),
    )
  }
  return Object.freeze({ ready: list.every((issuer) => issuer.ready), issuers: Object.freeze(list) })
}

/**
 * Fetches what is not held yet (discovery, then each remote key set, all at once) and resolves when
 * every issuer's tokens can be checked; rejects with a `jwks_unavailable` `AuthError` naming the
 * issuers that cannot, and why.
 *
 * @example
 * await readyAll(config.issuers) // what auth.ready() does
 */
export async function readyAll(issuers: ReadonlyMap<string, NormalizedIssuer>): Promise<void> {
  // Issuers that share key material share one key set: fetch it once.
  const names = new Map<KeySet, string[]>()
  for (const [issuer, { keySet }] of issuers) names.set(keySet, [...(names.get(keySet) ?? []), issuer])
  const results = await Promise.allSettled([...names.keys()].map((keySet) => keySet.ready()))
  const failed: string[] = []
  ;[...names.values()].forEach((issuerNames, index) => {
    const result = results[index]!
    if (result.status === 'fulfilled') return
    const reason = result.reason instanceof AuthError ? result.reason.message : 'keys could not be fetched'
    failed.push(`${issuerNames.map((name) => `"${name}"`).join(', ')}: ${reason}`)
  })
  if (failed.length > 0) throw new AuthError('jwks_unavailable', `not ready: ${failed.join('; ')}`)
}
