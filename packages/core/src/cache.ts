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

/** One cached token; tokens whose tails collide are chained, so each is still matched exactly. */
interface Slot<V> {
  readonly token: string
  value: V
  /** Whether the token is, character for character, an RFC 6750 `b64token` (see {@link TokenCache.isWellFormed}). */
  readonly wellFormed: boolean
  next: Slot<V> | undefined
}

/** How many characters of a token's end (a JWS signature, a JWE tag) pick its bucket. */
const TAIL = 16

// RFC 6750 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/**
 * The bucket of a token: a small integer from its length and its last {@link TAIL} characters. A
 * `Map<string>` hashes the whole key, and every request's header is a fresh 600-character string
 * (~1 µs); this reads 16 characters and allocates nothing. The bucket only narrows the search: a hit
 * is the exact token, compared in full, so tokens that collide (by chance or by design) each keep
 * their own entry.
 */
function bucketOf(token: string): number {
  let hash = token.length
  for (let index = Math.max(0, token.length - TAIL); index < token.length; index++)
    hash = (Math.imul(hash, 31) + token.charCodeAt(index)) | 0
  // A small integer (31 bits signed on 64-bit V8), which a Map hashes without a heap number.
  return hash & 0x3fffffff
}

/**
 * A bounded map from token to verified result. Entries are dropped oldest-first past `max`; the caller
 * re-checks times on every hit, so an entry never outlives its token's `exp`. A lookup matches the
 * whole token: two tokens that share a length, a prefix or a tail never share an entry.
 *
 * @example
 * const cache = new TokenCache<string>(2)
 * cache.set(token, 'alice')
 * cache.get(token) // 'alice'; any other string, however alike, is undefined
 */
export class TokenCache<V> {
  /** Buckets by tail, in insertion order (the oldest bucket is dropped first). */
  readonly #buckets = new Map<number, Slot<V>>()
  readonly #max: number
  #size = 0
  /**
   * The last token looked up and its slot: a request looks its token up twice (the bearer source's
   * shortcut, then the hit), and a client sends the same token request after request. Forgotten on
   * every removal, so it never outlives its entry.
   */
  #lastToken: string | undefined
  #lastSlot: Slot<V> | undefined

  constructor(max: number) {
    this.#max = max
  }

  get size(): number {
    return this.#size
  }

  #slot(token: string): Slot<V> | undefined {
    if (typeof token !== 'string') return undefined
    // The whole token is compared either way; the same string object compares at once.
    if (this.#lastSlot !== undefined && token === this.#lastToken) {
      this.#lastToken = token
      return this.#lastSlot
    }
    for (let slot = this.#buckets.get(bucketOf(token)); slot !== undefined; slot = slot.next)
      if (slot.token === token) {
        this.#lastToken = token
        this.#lastSlot = slot
        return slot
      }
    return undefined
  }

  #forgetLast(): void {
    this.#lastToken = undefined
    this.#lastSlot = undefined
  }

  get(token: string): V | undefined {
    return this.#slot(token)?.value
  }

  /**
   * Whether `token` is cached and is an RFC 6750 `b64token`: then `Bearer <token>` is exactly a
   * well-formed Authorization header, and the bearer source may skip its own check.
   */
  isWellFormed(token: string): boolean {
    return this.#slot(token)?.wellFormed === true
  }

  set(token: string, value: V): void {
    if (this.#max <= 0) return
    const existing = this.#slot(token)
    if (existing) {
      existing.value = value
      return
    }
    if (this.#size >= this.#max) this.#dropOldest()
    const key = bucketOf(token)
    const next = this.#buckets.get(key)
    const slot: Slot<V> = { token, value, wellFormed: B64TOKEN.test(token), next }
    // A bucket that gains a token moves to the end: its oldest token is no older than this one's
    // bucket mates, which are dropped with it.
    if (next) this.#buckets.delete(key)
    this.#buckets.set(key, slot)
    this.#size++
  }

  #dropOldest(): void {
    this.#forgetLast()
    const oldest = this.#buckets.entries().next()
    if (oldest.done) return
    const [key, slot] = oldest.value
    this.#buckets.delete(key)
    for (let item: Slot<V> | undefined = slot; item; item = item.next) this.#size--
  }

  delete(token: string): void {
    if (typeof token !== 'string') return
    this.#forgetLast()
    const key = bucketOf(token)
    let previous: Slot<V> | undefined
    for (let slot = this.#buckets.get(key); slot; previous = slot, slot = slot.next) {
      if (slot.token !== token) continue
      if (previous) previous.next = slot.next
      else if (slot.next) this.#buckets.set(key, slot.next)
      else this.#buckets.delete(key)
      this.#size--
      return
    }
  }

  /** Drops every entry for which `match` is true, e.g. all tokens of a revoked session. */
  deleteWhere(match: (value: V) => boolean): void {
    const doomed: string[] = []
    for (const head of this.#buckets.values())
      for (let slot: Slot<V> | undefined = head; slot; slot = slot.next)
        if (match(slot.value)) doomed.push(slot.token)
    for (const token of doomed) this.delete(token)
  }

  clear(): void {
    this.#forgetLast()
    this.#buckets.clear()
    this.#size = 0
  }
}
