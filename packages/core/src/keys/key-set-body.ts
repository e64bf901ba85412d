import type { JWK } from 'jose'
import { FetchError } from './fetch.js'
import { KeyRejectedError, keyFromJwk, type VerificationKey } from './key.js'
import { duplicateKids } from './key-set.js'

/**
 * The keys of a fetched JWKS body: unusable entries skipped, two keys under one `kid` both dropped.
 *
 * @example
 * const { usable, skipped } = parseKeySet({ keys: [jwk] }, 100, new Map())
 */
export interface ParsedKeySet {
  /** The keys to verify with. */
  readonly usable: VerificationKey[]
  /** Each usable entry by its JSON text, for the next fetch to reuse. */
  readonly json: Map<string, VerificationKey>
  /** How many entries were skipped (weak, private, of another use, or ambiguous). */
  readonly skipped: number
}

/**
 * Reads a JWKS response body into keys. An entry whose JSON text the previous fetch already held
 * keeps its key (imported once, and the same object, so a refetch does not look like a removal).
 * Throws a {@link FetchError} for a body that is not a key set, too many keys, or no usable key.
 *
 * @example
 * const { usable, json } = parseKeySet(await fetchJson(url, options), 100, previous)
 */
export function parseKeySet(
  body: unknown,
  maxKeys: number,
  previous: ReadonlyMap<string, VerificationKey>,
): ParsedKeySet {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { keys?: unknown }).keys))
    throw new FetchError('response is not a JSON Web Key Set')
  const entries = (body as { keys: unknown[] }).keys
  if (entries.length > maxKeys) throw new FetchError(`key set has more than ${maxKeys} keys`)
  const loaded: VerificationKey[] = []
  const json = new Map<string, VerificationKey>()
  let skipped = 0
  for (const entry of entries) {
    try {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
        throw new KeyRejectedError('not an object')
      const text = JSON.stringify(entry)
      const key = json.get(text) ?? previous.get(text) ?? keyFromJwk(entry as JWK)
      json.set(text, key)
      loaded.push(key)
    } catch (error) {
      if (!(error instanceof KeyRejectedError)) throw error
      skipped++
    }
  }
  // Two keys under one kid are ambiguous: use neither rather than guess (Wycheproof DuplicateKid).
  const duplicates = duplicateKids(loaded)
  const usable = duplicates.size === 0 ? loaded : loaded.filter((key) => !duplicates.has(key.kid!))
  skipped += loaded.length - usable.length
  // Only usable keys are reused: a key left out is a removal, and a removed key never comes back as
  // the same object (a verifier takes a removed key for pulled for good).
  if (duplicates.size > 0) for (const [text, key] of json) if (duplicates.has(key.kid!)) json.delete(text)
  if (usable.length === 0) throw new FetchError('key set has no usable signing keys')
  return { usable, json, skipped }
}
