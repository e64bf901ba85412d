import type { CacheEntry } from '../internal/entry.js'
import type { KeySet } from '../keys/key-set.js'
import type { VerifierParts } from './parts.js'

/**
 * The verifier's distinct key sets, each watched for keys it stops publishing: such a key takes every
 * token it verified out of the cache at once, and fails the verifications it is still part of.
 */
export function watchRemovedKeys<Claims>(parts: VerifierParts<Claims>): ReadonlySet<KeySet> {
  const { cache, pulledKeys } = parts
  const keySets = new Set<KeySet>([...parts.config.issuers.values()].map((issuer) => issuer.keySet))
  // A key set that publishes the same key again makes a new key object, so a pulled one stays pulled.
  for (const keySet of keySets)
    keySet.onRemoved?.((removed) => {
      for (const key of removed) pulledKeys.add(key)
      cache?.deleteWhere((entry: CacheEntry<Claims>) => entry.key !== undefined && removed.has(entry.key))
    })
  return keySets
}
