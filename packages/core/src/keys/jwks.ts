import type { JWK } from 'jose'
import { AuthError } from '../errors.js'
import { type Duration, toSeconds } from '../internal/duration.js'
import { type Algorithm, KeyRejectedError, keyFromJwk, type VerificationKey } from './key.js'
import { duplicateKids, type KeySet, selectKeys } from './key-set.js'

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
   * The least time between two fetches triggered by an unknown `kid` or a failed fetch.
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
  /** Extra request headers, e.g. for an IdP behind an API gateway. */
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

/** Reads a response body up to `maxBytes`, failing past it. */
export async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  if (declared > maxBytes) {
    await response.body?.cancel()
    throw new Error(`response is larger than ${maxBytes} bytes`)
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw new Error(`response is larger than ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  const utf8 = new TextDecoder()
  return chunks.map((chunk, index) => utf8.decode(chunk, { stream: index < chunks.length - 1 })).join('')
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** True for https URLs, and for plain http on loopback (development only). */
export function isSecureUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))
}

/** GETs a JSON document with a timeout and a size limit; a redirect may not downgrade to plain http. */
export async function fetchJson(
  url: string,
  options: { timeout: number; maxBytes: number; headers?: Record<string, string>; fetch?: typeof fetch },
): Promise<unknown> {
  const doFetch = options.fetch ?? globalThis.fetch
  const response = await doFetch(url, {
    headers: { accept: 'application/json', ...options.headers },
    redirect: 'follow',
    signal: AbortSignal.timeout(options.timeout * 1000),
  })
  if (!response.ok) {
    await response.body?.cancel()
    throw new Error(`HTTP ${response.status}`)
  }
  if (response.redirected && !isSecureUrl(new URL(response.url))) {
    await response.body?.cancel()
    throw new Error('redirected to a URL that is not https')
  }
  const text = await readLimited(response, options.maxBytes)
  try {
    return JSON.parse(text)
  } catch {
    throw new Error('response is not JSON')
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out'
    return error.message.slice(0, 200)
  }
  return 'failed'
}

/**
 * A JWKS fetched over HTTP: cached for `maxAge`, refetched at most once per `cooldown` for an unknown
 * `kid`, one fetch in flight at a time, and served stale for `staleIfError` while the IdP is down.
 * `url` may be a function, for a `jwks_uri` found by discovery.
 *
 * @example
 * const keys = createRemoteKeySet('https://id.example.com/.well-known/jwks.json', { maxAge: '10m' })
 * const candidates = await keys.candidates(kid, 'RS256')
 */
export function createRemoteKeySet(
  url: string | (() => Promise<string>),
  options: RemoteKeySetOptions = {},
): RemoteKeySet {
  const maxAge = toSeconds(options.maxAge ?? JWKS_DEFAULTS.maxAge, 'jwks.maxAge') * 1000
  const staleIfError =
    toSeconds(options.staleIfError ?? JWKS_DEFAULTS.staleIfError, 'jwks.staleIfError') * 1000
  const cooldown = toSeconds(options.cooldown ?? JWKS_DEFAULTS.cooldown, 'jwks.cooldown') * 1000
  const timeout = toSeconds(options.timeout ?? JWKS_DEFAULTS.timeout, 'jwks.timeout')
  const maxBytes = options.maxBytes ?? JWKS_DEFAULTS.maxBytes
  const maxKeys = options.maxKeys ?? JWKS_DEFAULTS.maxKeys
  const now = options.now ?? Date.now

  let keys: readonly VerificationKey[] | undefined
  let fetchedAt = 0
  let lastAttempt = Number.NEGATIVE_INFINITY
  let lastError: string | undefined
  let inflight: Promise<void> | undefined
  let refetchNext = false

  function emit(event: JwksEvent): void {
    try {
      options.onEvent?.(event)
    } catch {
      // A faulty metrics hook must not turn a good fetch into an outage.
    }
  }

  async function load(): Promise<void> {
    const started = now()
    lastAttempt = started
    let target = '(discovery)'
    try {
      target = typeof url === 'string' ? url : await url()
      const body = await fetchJson(target, {
        timeout,
        maxBytes,
        headers: options.headers,
        fetch: options.fetch,
      })
      if (typeof body !== 'object' || body === null || !Array.isArray((body as { keys?: unknown }).keys))
        throw new Error('response is not a JSON Web Key Set')
      const entries = (body as { keys: unknown[] }).keys
      if (entries.length > maxKeys) throw new Error(`key set has more than ${maxKeys} keys`)
      const loaded: VerificationKey[] = []
      let skipped = 0
      for (const entry of entries) {
        try {
          if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
            throw new KeyRejectedError('not an object')
          loaded.push(keyFromJwk(entry as JWK))
        } catch (error) {
          if (!(error instanceof KeyRejectedError)) throw error
          skipped++
        }
      }
      // Two keys under one kid are ambiguous: use neither rather than guess (Wycheproof DuplicateKid).
      const duplicates = duplicateKids(loaded)
      const usable = duplicates.size === 0 ? loaded : loaded.filter((key) => !duplicates.has(key.kid!))
      skipped += loaded.length - usable.length
      if (usable.length === 0) throw new Error('key set has no usable signing keys')
      keys = usable
      fetchedAt = now()
      lastError = undefined
      emit({
        type: 'jwks_fetched',
        url: target,
        keys: usable.length,
        skipped,
        durationMs: now() - started,
      })
    } catch (error) {
      lastError = reasonOf(error)
      emit({
        type: 'jwks_fetch_failed',
        url: target,
        reason: lastError,
        durationMs: now() - started,
      })
      throw error
    }
  }

  function refresh(): Promise<void> {
    inflight ??= load().finally(() => {
      inflight = undefined
    })
    return inflight
  }

  function unavailable(cause?: unknown): AuthError {
    return new AuthError(
      'jwks_unavailable',
      `signing keys could not be fetched (${lastError ?? 'unknown error'})`,
      {
        cause: cause instanceof AuthError ? undefined : cause,
      },
    )
  }

  async function usableKeys(): Promise<readonly VerificationKey[]> {
    if (refetchNext) {
      // After invalidate() the next token waits for a fetch; if the IdP cannot answer, the cached keys
      // still serve within their stale period rather than failing every request.
      refetchNext = false
      await refresh().catch(() => {})
    }
    const age = now() - fetchedAt
    if (keys !== undefined && age <= maxAge) return keys
    const coolingDown = now() - lastAttempt < cooldown && lastError !== undefined
    if (keys !== undefined && age <= maxAge + staleIfError) {
      // Stale but still trusted: serve now, refresh in the background.
      if (!coolingDown) refresh().catch(() => {})
      return keys
    }
    if (coolingDown && !inflight) throw unavailable()
    try {
      await refresh()
    } catch (error) {
      throw unavailable(error)
    }
    return keys ?? []
  }

  return {
    async candidates(kid: string | undefined, alg: Algorithm) {
      const found = selectKeys(await usableKeys(), kid, alg)
      if (found.length > 0 || kid === undefined) return found
      // An unknown kid may be a key the IdP just rotated in: refetch, at most once per cooldown. A fetch
      // already in flight may bring it, so wait for that one rather than answer too early.
      if (!inflight && now() - lastAttempt < cooldown) return found
      try {
        await refresh()
      } catch {
        return found
      }
      return selectKeys(keys ?? [], kid, alg)
    },
    invalidate() {
      refetchNext = true
      lastAttempt = Number.NEGATIVE_INFINITY
      lastError = undefined
    },
    clear() {
      refetchNext = false
      keys = undefined
      fetchedAt = 0
      lastAttempt = Number.NEGATIVE_INFINITY
      lastError = undefined
    },
    refresh,
  }
}
