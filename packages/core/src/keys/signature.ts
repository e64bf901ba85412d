import { type CryptoKey, compactVerify, errors as joseErrors } from 'jose'
import { AuthError } from '../errors.js'
import type { UnverifiedHeader } from '../internal/compact.js'
import { ALL_ALGORITHMS, type Algorithm, type VerificationKey } from './key.js'
import type { KeySet } from './key-set.js'

const JOSE_CODES = new Map<string, AuthError['code']>([
  ['ERR_JOSE_ALG_NOT_ALLOWED', 'algorithm_not_allowed'],
  ['ERR_JOSE_NOT_SUPPORTED', 'algorithm_not_allowed'],
  ['ERR_JWS_INVALID', 'token_malformed'],
])

/** Checks one signature; `false` when this key did not sign it. */
async function signedBy(token: string, key: CryptoKey | Uint8Array, alg: Algorithm): Promise<boolean> {
  try {
    await compactVerify(token, key, { algorithms: [alg] })
    return true
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) return false
    const code = error instanceof joseErrors.JOSEError ? JOSE_CODES.get(error.code) : undefined
    // A key that cannot do this algorithm (a TypeError from WebCrypto) did not sign it either.
    if (!code) return false
    throw new AuthError(
      code,
      code === 'token_malformed' ? 'token is not a valid JWS' : 'algorithm is not accepted',
    )
  }
}

/**
 * Checks a token's signature against the trusted keys of one issuer: the `alg` must be allowed,
 * a key must match its `kid` and `alg`, and that key must have signed it. Returns that key (so a
 * cached token can be dropped when its key is removed); throws an `AuthError`.
 */
export async function verifySignature(
  token: string,
  header: UnverifiedHeader,
  trusted: { readonly keySet: KeySet; readonly algorithms: readonly Algorithm[] },
): Promise<VerificationKey> {
  const alg = header.alg as Algorithm
  if (!trusted.algorithms.includes(alg))
    // Only a known algorithm name is echoed: the header is attacker-controlled text.
    throw new AuthError(
      'algorithm_not_allowed',
      ALL_ALGORITHMS.includes(alg) ? `algorithm "${alg}" is not allowed` : 'algorithm is not allowed',
    )
  const keys = await trusted.keySet.candidates(header.kid, alg)
  if (keys.length === 0)
    throw new AuthError('key_not_found', 'no trusted key matches the token "kid" and "alg"')
  for (const key of keys) {
    // A key WebCrypto refuses to import (a bad Ed25519 point) did not sign the token either.
    const material = await key.forAlgorithm(alg).catch(() => undefined)
    if (material && (await signedBy(token, material, alg))) return key
  }
  throw new AuthError('signature_invalid', 'signature verification failed')
}
