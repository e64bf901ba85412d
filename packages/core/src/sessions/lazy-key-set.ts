import type { VerificationKey } from '../keys/key.js'
import { type KeySet, type KeySetStatus, selectKeys } from '../keys/key-set.js'

/**
 * A fixed key set whose keys WebCrypto prepares asynchronously (a `kid` is an HMAC or a thumbprint):
 * loaded on first use, then answered without waiting. A failed load is tried again by the next token.
 */
export function lazyKeySet(load: () => Promise<readonly VerificationKey[]>): KeySet & {
  /** The keys, loaded on first use. */
  keys(): Promise<readonly VerificationKey[]>
} {
  let loaded: readonly VerificationKey[] | undefined
  let loading: Promise<readonly VerificationKey[]> | undefined
  function keys(): Promise<readonly VerificationKey[]> {
    if (loaded) return Promise.resolve(loaded)
    loading ??= load().then(
      (keys) => {
        loaded = keys
        return keys
      },
      (error: unknown) => {
        loading = undefined
        throw error
      },
    )
    return loading
  }
  const status = (): KeySetStatus => ({
    kind: 'local',
    url: undefined,
    keys: loaded?.length ?? 0,
    fetchedAt: undefined,
    stale: false,
    usable: true,
    lastError: undefined,
  })
  return {
    keys,
    candidates: (kid, alg) =>
      loaded ? selectKeys(loaded, kid, alg) : keys().then((found) => selectKeys(found, kid, alg)),
    invalidate() {},
    status,
    ready: () => keys().then(() => undefined),
  }
}
