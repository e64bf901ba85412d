/**
 * Where sessions live between requests: a small key-value store with expiry and an atomic
 * compare-and-swap. `memoryStore()` and `redisStore()` implement it; so can your own.
 *
 * Every method may reject when the backend cannot be reached; sessions turn that into a
 * `store_unavailable` `AuthError` (503), never a crash.
 *
 * @example
 * const store: Store = memoryStore()
 * await store.set('greeting', 'hello', 60)
 * await store.get('greeting') // 'hello'
 */
export interface Store {
  /** The value under `key`, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>
  /**
   * Optional: the value under `key` and the seconds it has left, read in one step. Sessions use it to
   * time the refresh grace window from when the store committed a rotation, not from when an instance
   * prepared it: a write held up by a slow or paused store still leaves the user's retry its grace.
   * Without it the window counts from the instance's clock.
   */
  getWithTtl?(key: string): Promise<{ value: string; ttl: number } | undefined>
  /** Stores `value` under `key` for `ttl` seconds. */
  set(key: string, value: string, ttl: number): Promise<void>
  /** Removes `key`; removing an absent key is not an error. */
  delete(key: string): Promise<void>
  /**
   * Atomically replaces the value under `key` with `value` (kept `ttl` seconds), but only when the
   * current value is exactly `expected` (undefined: only when the key is absent). `value` undefined
   * deletes the key. Resolves true when the swap happened.
   */
  compareAndSwap(
    key: string,
    expected: string | undefined,
    value: string | undefined,
    ttl: number,
  ): Promise<boolean>
}
