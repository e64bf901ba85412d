import type { Store } from './store.js'

/**
 * Options of {@link memoryStore}.
 *
 * @example
 * memoryStore({ max: 50_000 })
 */
export interface MemoryStoreOptions {
  /**
   * The most keys kept; past it the least recently written key is dropped. A dropped session reads
   * as revoked (fail closed), so size this above your number of live sessions.
   * @default 100000
   */
  max?: number
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number
}

interface Entry {
  readonly value: string
  readonly expiresAt: number
}

/**
 * A bounded in-process {@link Store}: the default of `createSessions`. It is fast and needs nothing,
 * but each process has its own, so revocations do not reach other instances: use `redisStore()`
 * when you run more than one.
 *
 * @example
 * const sessions = createSessions({ secret, issuer, audience, store: memoryStore({ max: 50_000 }) })
 */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  const max = options.max ?? 100_000
  if (!Number.isInteger(max) || max < 1) throw new TypeError('"max" must be a positive integer')
  const now = options.now ?? Date.now
  const entries = new Map<string, Entry>()

  function read(key: string): string | undefined {
    const entry = entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= now()) {
      entries.delete(key)
      return undefined
    }
    return entry.value
  }

  function write(key: string, value: string, ttl: number): void {
    if (!(ttl > 0)) {
      entries.delete(key)
      return
    }
    // Delete first so the key moves to the end: eviction drops the least recently written key.
    entries.delete(key)
    if (entries.size >= max) {
      const oldest = entries.keys().next()
      if (!oldest.done) entries.delete(oldest.value)
    }
    entries.set(key, { value, expiresAt: now() + ttl * 1000 })
  }

  return {
    async get(key) {
      return read(key)
    },
    async getWithTtl(key) {
      const value = read(key)
      return value === undefined ? undefined : { value, ttl: (entries.get(key)!.expiresAt - now()) / 1000 }
    },
    async set(key, value, ttl) {
      write(key, value, ttl)
    },
    async delete(key) {
      entries.delete(key)
    },
    // Single-threaded: nothing runs between the read and the write, so this is atomic.
    async compareAndSwap(key, expected, value, ttl) {
      if (read(key) !== expected) return false
      if (value === undefined) entries.delete(key)
      else write(key, value, ttl)
      return true
    },
  }
}
