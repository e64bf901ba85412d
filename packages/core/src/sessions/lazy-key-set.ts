import type { VerificationKey } from '../keys/key.js'
import { type KeySet, selectKeys } from '../keys/key-set.js'

/**
 * A fixed key set whose keys WebCrypto prepares asynchronously (a `kid` is an HMAC or a thumbprint):
 * loaded on first use, then answered without waiting. A failed load is tried again by the next token.
 */
export function lazyKeySet(load: () => Promise<readonly VerificationKey[]>): KeySet & {
  ready(): Promise<readonly VerificationKey[]>
} {
  let loaded: readonly VerificationKey[] | undefined
  let loading: Promise<readonly VerificationKey[]> | undefined
  function ready(): Promise<readonly VerificationKey[]> {
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
  return {
    ready,
    candidates: (kid, alg) =>
      loaded ? selectKeys(loaded, kid, alg) : ready().then((keys) => selectKeys(keys, kid, alg)),
    invalidate() {},
  }
}
