/**
 * How the verified-token cache behaves.
 *
 * @example
 * createAuth({ issuer, audience, jwks, cache: { max: 50_000 } })
 */
export interface CacheOptions {
  /**
   * The most tokens kept. Each entry holds one token and its identity; the oldest is dropped first.
   * @default 10000
   */
  max?: number
}

/**
 * A bounded map from token to verified result. Entries are dropped oldest-first past `max`; the caller
 * re-checks times on every hit, so an entry never outlives its token's `exp`.
 */
export class TokenCache<V> {
  readonly #entries = new Map<string, V>()
  readonly #max: number

  constructor(max: number) {
    this.#max = max
  }

  get size(): number {
    return this.#entries.size
  }

  get(token: string): V | undefined {
    return this.#entries.get(token)
  }

  set(token: string, value: V): void {
    if (this.#max <= 0) return
    if (this.#entries.size >= this.#max && !this.#entries.has(token)) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    this.#entries.set(token, value)
  }

  delete(token: string): void {
    this.#entries.delete(token)
  }

  /** Drops every entry for which `match` is true, e.g. all tokens of a revoked session. */
  deleteWhere(match: (value: V) => boolean): void {
    for (const [token, value] of this.#entries) if (match(value)) this.#entries.delete(token)
  }

  clear(): void {
    this.#entries.clear()
  }
}
