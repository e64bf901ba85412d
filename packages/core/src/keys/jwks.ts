import { AuthError } from '../errors.js'
import { type Duration, toSeconds } from '../internal/duration.js'
import { checkHeaders, FetchError, fetchJson, reasonOf } from './fetch.js'
import type { Algorithm, VerificationKey } from './key.js'
import { type KeySet, type KeySetStatus, selectKeys } from './key-set.js'
import { parseKeySet } from './key-set-body.js'

/**
 * How a remote JSON Web Key Set is fetched and cached.
 *
 * @example
 * createAuth({ issuer, audience, jwks, jwksOptions: { maxAge: '10m', cooldown: '30s', timeout: '5s' } })
 */
export interface JwksOptions {
  /**
   * How long fetched keys are fresh; after that they are refetched in the background.
   * @default '10m'
   */
  maxAge?: Duration
  /**
   * How long past `maxAge` the cached keys keep serving while the IdP cannot be reached.
   * @default '1h'
   */
  staleIfError?: Duration
  /**
   * The least time between two fetches triggered by an unknown `kid` after a good fetch. After a
   * failed fetch, retries wait 1 s, then 2 s, 4 s, and at most 8 s (never more than `cooldown`).
   * @default '30s'
   */
  cooldown?: Duration
  /**
   * How long one fetch may take, body included.
   * @default '5s'
   */
  timeout?: Duration
  /**
   * The largest response body accepted, in bytes.
   * @default 262144
   */
  maxBytes?: number
  /**
   * The most keys accepted in one set.
   * @default 100
   */
  maxKeys?: number
  /**
   * Extra request headers, e.g. for an IdP behind an API gateway. Checked at construction (a value
   * with CR, LF or NUL is a `TypeError` naming the header); a value never appears in an error or event.
   * They are sent to the configured origin only: redirects to another origin are refused.
   */
  headers?: Record<string, string>
  /** The fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch
}

/**
 * Options of {@link createRemoteKeySet}: the JWKS options plus an event hook and a clock.
 *
 * @example
 * createRemoteKeySet(url, { timeout: '2s', onEvent: console.log })
 */
export interface RemoteKeySetOptions extends JwksOptions {
  /** Reports fetches and skipped keys, without secrets. */
  onEvent?: (event: JwksEvent) => void
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number
}

/**
 * What a remote key set reports to `onEvent`.
 *
 * @example
 * createAuth({ issuer, audience, jwks, onEvent: (event) => event.type === 'jwks_fetch_failed' && log.warn(event.reason) })
 */
export type JwksEvent =
  | { type: 'jwks_fetched'; url: string; keys: number; skipped: number; durationMs: number }
  | { type: 'jwks_fetch_failed'; url: string; reason: string; durationMs: number }

/**
 * A remote key set: `KeySet` plus cache control.
 *
 * @example
 * const keys: RemoteKeySet = createRemoteKeySet('https://id.example.com/jwks')
 * await keys.refresh()
 */
export interface RemoteKeySet extends KeySet {
  /** Drops the cached keys entirely; the next token fetches them again. */
  clear(): void
  /** Fetches now (merged with a fetch in flight). */
  refresh(): Promise<void>
}

export const JWKS_DEFAULTS = {
  maxAge: 600,
  staleIfError: 3600,
  cooldown: 30,
  timeout: 5,
  maxBytes: 256 * 1024,
  maxKeys: 100,
} as const

/**
 * After a failed fetch, the first retry waits this long; each further failure doubles it.
 *
 * @example
 * const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (failures - 1))
 */
export const RETRY_BASE_MS = 1000
/**
 * The longest wait between retries after failed fetches (never longer than `cooldown`).
 *
 * @example
 * const delay = Math.min(cooldown, RETRY_MAX_MS)
 */
export const RETRY_MAX_MS = 8000

/**
 * A JWKS fetched over HTTP: cached for `maxAge`, refetched at most once per `cooldown` for an unknown
 * `kid`, one fetch in flight at a time, and served stale for `staleIfError` while the IdP is down.
 * After a failed fetch, retries back off from 1 s, doubling up to 8 s (at most `cooldown`), so a key
 * published once the IdP returns is picked up within seconds while a flood of unknown `kid`s costs
 * a bounded number of fetches. An unknown `kid` while the set cannot be fetched is `jwks_unavailable`
 * (503): the verifier cannot tell whether the key exists. `url` may be a function, for a `jwks_uri`
 * found by discovery.
 *
 * @example
 * const keys = createRemoteKeySet('https://id.example.com/.well-known/jwks.json', { maxAge: '10m' })
 * const candidates = await keys.candidates(kid, 'RS256')
 */
export function createRemoteKeySet(
  url: string | (() => Promise<string>),
  options: RemoteKeySetOptions = {},
): RemoteKeySet {
  const maxAge = toSeconds(options.maxAge ?? JWKS_DEFAULTS.maxAge, 'jwksOptions.maxAge') * 1000
  const staleIfError =
    toSeconds(options.staleIfError ?? JWKS_DEFAULTS.staleIfError, 'jwksOptions.staleIfError') * 1000
  const cooldown = toSeconds(options.cooldown ?? JWKS_DEFAULTS.cooldown, 'jwksOptions.cooldown') * 1000
  const timeout = toSeconds(options.timeout ?? JWKS_DEFAULTS.timeout, 'jwksOptions.timeout')
  const maxBytes = options.maxBytes ?? JWKS_DEFAULTS.maxBytes
  const maxKeys = options.maxKeys ?? JWKS_DEFAULTS.maxKeys
  const headers = checkHeaders(options.headers, 'jwksOptions.headers')
  const now = options.now ?? Date.now

  let keys: readonly VerificationKey[] | undefined
  // The same JWK in the next response keeps its imported key, so a refetch neither re-imports it nor
  // looks like a removal.
  let byJson = new Map<string, VerificationKey>()
  let fetchedAt = 0
  let target: string | undefined = typeof url === 'string' ? url : undefined
  let lastAttempt = Number.NEGATIVE_INFINITY
  let lastError: string | undefined
  let failures = 0
  let inflight: Promise<void> | undefined
  // The fetch invalidate() started: tokens that need a key wait for it.
  let invalidation: Promise<void> | undefined
  const removedListeners: Array<(removed: ReadonlySet<VerificationKey>) => void> = []

  function emit(event: JwksEvent): void {
    try {
      options.onEvent?.(event)
    } catch {
      // A faulty metrics hook must not turn a good fetch into an outage.
    }
  }

  /** True while the last fetch failed and its retry delay has not passed. */
  function backingOff(): boolean {
    if (lastError === undefined) return false
    const delay = Math.min(cooldown, RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(failures - 1, 10))
    return now() - lastAttempt < delay
  }

  async function load(): Promise<void> {
    const started = now()
    lastAttempt = started
    let fetched = target ?? '(discovery)'
    try {
      fetched = typeof url === 'string' ? url : await url()
      const body = await fetchJson(fetched, { timeout, maxBytes, headers, fetch: options.fetch })
      const { usable, json, skipped } = parseKeySet(body, maxKeys, byJson)
      const kept = new Set(usable)
      const removed = new Set((keys ?? []).filter((key) => !kept.has(key)))
      keys = usable
      byJson = json
      target = fetched
      fetchedAt = now()
      lastError = undefined
      failures = 0
      emit({ type: 'jwks_fetched', url: fetched, keys: usable.length, skipped, durationMs: now() - started })
      // Tokens verified by a key the IdP no longer publishes must stop passing now, not at their `exp`.
      if (removed.size > 0)
        for (const listener of removedListeners) {
          try {
            listener(removed)
          } catch {
            // One listener's fault must not keep the others from dropping their tokens.
          }
        }
    } catch (error) {
      lastError = reasonOf(error)
      failures++
      emit({ type: 'jwks_fetch_failed', url: fetched, reason: lastError, durationMs: now() - started })
      // Only the safe reason travels on: a custom fetch's error may quote a URL or a header.
      throw new FetchError(lastError)
    }
  }

  function refresh(): Promise<void> {
    inflight ??= load().finally(() => {
      inflight = undefined
    })
    return inflight
  }

  function unavailable(): AuthError {
    return new AuthError(
      'jwks_unavailable',
      `signing keys could not be fetched (${lastError ?? 'unknown error'})`,
    )
  }

  async function usableKeys(): Promise<readonly VerificationKey[]> {
    // After invalidate() tokens wait for its fetch; if the IdP cannot answer, the cached keys still
    // serve within their stale period rather than failing every request.
    if (invalidation) await invalidation
    const age = now() - fetchedAt
    if (keys !== undefined && age <= maxAge) return keys
    const waiting = backingOff()
    if (keys !== undefined && age <= maxAge + staleIfError) {
      // Stale but still trusted: serve now, refresh in the background.
      if (!waiting) refresh().catch(() => {})
      return keys
    }
    if (waiting && !inflight) throw unavailable()
    try {
      await refresh()
    } catch {
      throw unavailable()
    }
    return keys ?? []
  }

  function status(): KeySetStatus {
    const age = now() - fetchedAt
    return {
      kind: 'remote',
      url: target,
      keys: keys?.length ?? 0,
      fetchedAt: keys === undefined ? undefined : fetchedAt,
      stale: keys !== undefined && age > maxAge,
      usable: keys !== undefined && age <= maxAge + staleIfError,
      lastError,
    }
  }

  return {
    async candidates(kid: string | undefined, alg: Algorithm) {
      const found = selectKeys(await usableKeys(), kid, alg)
      if (found.length > 0 || kid === undefined) return found
      // An unknown kid may be a key the IdP just rotated in: refetch, at most once per cooldown. A fetch
      // already in flight may bring it, so wait for that one rather than answer too early. While the
      // set cannot be fetched, nobody can say the key does not exist: that is a 503, not a 401.
      if (!inflight) {
        if (backingOff()) throw unavailable()
        if (lastError === undefined && now() - lastAttempt < cooldown) return found
      }
      try {
        await refresh()
      } catch {
        throw unavailable()
      }
      return selectKeys(keys ?? [], kid, alg)
    },
    invalidate() {
      lastAttempt = Number.NEGATIVE_INFINITY
      lastError = undefined
      failures = 0
      // Start now: cached tokens never reach the key set, so waiting for an uncached one would leave
      // tokens of a pulled key passing until then.
      const fetch: Promise<void> = refresh().then(
        () => {},
        () => {},
      )
      invalidation = fetch
      void fetch.then(() => {
        if (invalidation === fetch) invalidation = undefined
      })
      return fetch
    },
    clear() {
      invalidation = undefined
      keys = undefined
      byJson = new Map()
      fetchedAt = 0
      lastAttempt = Number.NEGATIVE_INFINITY
      lastError = undefined
      failures = 0
    },
    refresh,
    status,
    async ready() {
      if (status().usable) return
      await usableKeys()
    },
    onRemoved(listener) {
      removedListeners.push(listener)
    },
  }
}
