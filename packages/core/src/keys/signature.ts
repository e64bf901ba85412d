import type { CryptoKey } from 'jose'
import { AuthError } from '../errors.js'
import type { SignedParts } from '../internal/compact.js'
import { ALL_ALGORITHMS, type Algorithm, type VerificationKey } from './key.js'
import type { KeySet } from './key-set.js'
import { type SignatureParams, signatureParams } from './signature-params.js'

// Keys already found fit for an algorithm, with their signature length. `CryptoKey.usages` builds a
// new array on every read in Node, so the check runs once per key and algorithm, not once per token.
const fitted = new WeakMap<CryptoKey, { readonly alg: Algorithm; readonly length: number }>()

/**
 * The signature length `key` gives for `alg`, or undefined when the key is not for it: another key
 * type, hash or curve (RFC 8725 3.1: one key, one algorithm), no `verify` usage, or an RSA modulus
 * under 2048 bits (RFC 7518 3.3). The checks jose ran before each verification.
 */
function signatureLength(key: CryptoKey, alg: Algorithm, params: SignatureParams): number | undefined {
  const known = fitted.get(key)
  if (known?.alg === alg) return known.length
  const algorithm = key.algorithm as {
    name: string
    hash?: { name: string }
    namedCurve?: string
    modulusLength?: number
  }
  if (key.type !== params.type || algorithm.name !== params.key.name) return undefined
  if (params.key.hash !== undefined && algorithm.hash?.name !== params.key.hash) return undefined
  if (params.key.namedCurve !== undefined && algorithm.namedCurve !== params.key.namedCurve) return undefined
  if (!key.usages.includes('verify')) return undefined
  let length = params.length
  if (length === 0) {
    const bits = algorithm.modulusLength
    if (typeof bits !== 'number' || bits < 2048) return undefined
    // RFC 8017 8.1.2 / 8.2.2: an RSA signature is exactly as long as the modulus.
    length = Math.ceil(bits / 8)
  }
  fitted.set(key, { alg, length })
  return length
}

/**
 * Checks one signature with WebCrypto over the bytes the parse already decoded; `false` when this
 * key did not sign it, or cannot verify `alg` at all (another key type, hash or curve, a weak RSA
 * key), or the signature has the wrong length for it. Never throws.
 *
 * @example
 * const jws = parseJws(token, 8192)
 * if (await signedBy(jws, await key.forAlgorithm('HS256'), 'HS256')) trust(jws.payload)
 */
export async function signedBy(
  jws: SignedParts,
  key: CryptoKey | Uint8Array,
  alg: Algorithm,
): Promise<boolean> {
  const params = signatureParams(alg)
  // Raw bytes are no key here: HMAC secrets are imported once, as CryptoKeys (keys/key.ts).
  if (params === undefined || key instanceof Uint8Array) return false
  const length = signatureLength(key, alg, params)
  if (length === undefined || jws.signature.byteLength !== length) return false
  try {
    return await crypto.subtle.verify(params.verify, key, jws.signature, jws.signingInput)
  } catch {
    // WebCrypto refusing this key or signature (an invalid point, say) means it did not sign it.
    return false
  }
}

/**
 * Checks a token's signature against the trusted keys of one issuer: the `alg` must be allowed,
 * a key must match its `kid` and `alg`, and that key must have signed it. Returns that key (so a
 * cached token can be dropped when its key is removed); throws an `AuthError`.
 *
 * @example
 * const jws = parseCompact(token, 8192)
 * const key = await verifySignature(jws, { keySet, algorithms: ['ES256'] })
 */
export async function verifySignature(
  jws: SignedParts,
  trusted: { readonly keySet: KeySet; readonly algorithms: readonly Algorithm[] },
): Promise<VerificationKey> {
  const { header } = jws
  const alg = header.alg as Algorithm
  if (!trusted.algorithms.includes(alg))
    // Only a known algorithm name is echoed: the header is attacker-controlled text.
    throw new AuthError(
      'algorithm_not_allowed',
      ALL_ALGORITHMS.includes(alg) ? `algorithm "${alg}" is not allowed` : 'algorithm is not allowed',
    )
  const found = trusted.keySet.candidates(header.kid, alg)
  // A local key set answers at once: no microtask for it.
  const keys = Array.isArray(found) ? (found as readonly VerificationKey[]) : await found
  if (keys.length === 0)
    throw new AuthError('key_not_found', 'no trusted key matches the token "kid" and "alg"')
  for (const key of keys) {
    let material: CryptoKey | Uint8Array
    try {
      material = await key.forAlgorithm(alg)
    } catch {
      // A key WebCrypto refuses to import (a bad Ed25519 point) did not sign the token either.
      continue
    }
    if (await signedBy(jws, material, alg)) return key
  }
  throw new AuthError('signature_invalid', 'signature verification failed')
}
