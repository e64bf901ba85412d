import type { Algorithm } from './algorithms.js'

/**
 * How WebCrypto verifies one JWS algorithm (RFC 7518 3): the parameters of `crypto.subtle.verify`,
 * the key it needs, and the signature's length in bytes (0 for RSA: the modulus length).
 */
export interface SignatureParams {
  /** The `algorithm` argument of `crypto.subtle.verify`. */
  readonly verify:
    | { readonly name: 'HMAC' | 'RSASSA-PKCS1-v1_5' | 'Ed25519' }
    | { readonly name: 'RSA-PSS'; readonly saltLength: number }
    | { readonly name: 'ECDSA'; readonly hash: string }
  /** What the key's `algorithm` must say. */
  readonly key: { readonly name: string; readonly hash?: string; readonly namedCurve?: string }
  /** The key's `type`. */
  readonly type: 'secret' | 'public'
  /** The signature length in bytes; 0 when the key decides it (RSA). */
  readonly length: number
}

const hmac = (bits: number): SignatureParams => ({
  verify: { name: 'HMAC' },
  key: { name: 'HMAC', hash: `SHA-${bits}` },
  type: 'secret',
  // RFC 7518 3.2: the full HMAC output, never a truncation of it.
  length: bits / 8,
})

const pkcs1 = (bits: number): SignatureParams => ({
  verify: { name: 'RSASSA-PKCS1-v1_5' },
  key: { name: 'RSASSA-PKCS1-v1_5', hash: `SHA-${bits}` },
  type: 'public',
  length: 0,
})

// RFC 7518 3.5: the salt is as long as the hash output, and the MGF1 hash is the signing hash (the
// key's hash, which WebCrypto uses for both).
const pss = (bits: number): SignatureParams => ({
  verify: { name: 'RSA-PSS', saltLength: bits / 8 },
  key: { name: 'RSA-PSS', hash: `SHA-${bits}` },
  type: 'public',
  length: 0,
})

// RFC 7518 3.4: the signature is R || S, each as long as the curve's order (WebCrypto's raw format).
const ecdsa = (bits: number, namedCurve: string, bytes: number): SignatureParams => ({
  verify: { name: 'ECDSA', hash: `SHA-${bits}` },
  key: { name: 'ECDSA', namedCurve },
  type: 'public',
  length: 2 * bytes,
})

// RFC 8037 3.1 / RFC 9864: an Ed25519 signature is 64 bytes.
const ed25519: SignatureParams = {
  verify: { name: 'Ed25519' },
  key: { name: 'Ed25519' },
  type: 'public',
  length: 64,
}

const PARAMS: Readonly<Record<Algorithm, SignatureParams>> = {
  HS256: hmac(256),
  HS384: hmac(384),
  HS512: hmac(512),
  RS256: pkcs1(256),
  RS384: pkcs1(384),
  RS512: pkcs1(512),
  PS256: pss(256),
  PS384: pss(384),
  PS512: pss(512),
  ES256: ecdsa(256, 'P-256', 32),
  ES384: ecdsa(384, 'P-384', 48),
  ES512: ecdsa(512, 'P-521', 66),
  EdDSA: ed25519,
  Ed25519: ed25519,
}

/**
 * The WebCrypto parameters of a JWS algorithm, or undefined for a name that is none of ours.
 *
 * @example
 * signatureParams('PS256') // { verify: { name: 'RSA-PSS', saltLength: 32 }, ..., length: 0 }
 */
export function signatureParams(alg: string): SignatureParams | undefined {
  return Object.hasOwn(PARAMS, alg) ? PARAMS[alg as Algorithm] : undefined
}
