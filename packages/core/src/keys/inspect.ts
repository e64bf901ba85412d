import type { JWK } from 'jose'
import { decodeCanonical } from '../internal/base64url.js'
import { type Algorithm, EC_ALGORITHM, RSA_ALGORITHMS } from './algorithms.js'
import { isOnCurve } from './curves.js'

/** Why a key was refused; a `TypeError` for local keys, a skipped entry for a remote JWKS. */
export class KeyRejectedError extends Error {
  override name = 'KeyRejectedError'
}

/** RSA keys under 2048 bits are breakable; over 16384 bits they only make verification a denial of service. */
export function checkRsa(bits: number, exponent: bigint): void {
  if (bits < 2048) throw new KeyRejectedError('RSA keys must be at least 2048 bits')
  if (bits > 16384) throw new KeyRejectedError('RSA keys must be at most 16384 bits')
  if (exponent < 65537n || exponent % 2n === 0n)
    throw new KeyRejectedError('RSA public exponent must be an odd number of at least 65537')
}

// ROCA fingerprint (Nemec et al., CCS 2017): a modulus from the flawed Infineon generator is, modulo
// each of these primes, a power of 65537. A random modulus passes all of them with negligible odds.
const ROCA_PRIMES = [
  3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107,
  109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
]
const ROCA_SUBGROUPS = ROCA_PRIMES.map((prime) => {
  const powers = new Set<number>()
  for (let value = 1; !powers.has(value); value = (value * (65537 % prime)) % prime) powers.add(value)
  return powers
})

/** True when an RSA modulus carries the ROCA fingerprint. */
export function isRocaModulus(modulus: bigint): boolean {
  return ROCA_PRIMES.every((prime, index) => ROCA_SUBGROUPS[index]!.has(Number(modulus % BigInt(prime))))
}

const EC_SIZES: Record<string, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 }

/** A base64url member's bytes, or a rejection naming the key type (never the value). */
function member(jwk: JWK, name: 'n' | 'e' | 'x' | 'y'): Uint8Array {
  const value = jwk[name]
  const bytes = typeof value === 'string' ? decodeCanonical(value) : undefined
  if (!bytes || bytes.length === 0)
    throw new KeyRejectedError(`key of type "${String(jwk.kty)}" could not be imported`)
  return bytes
}

const toBigInt = (bytes: Uint8Array) => bytes.reduce((value, byte) => value * 256n + BigInt(byte), 0n)

/** RFC 7518 6.3.1.1: the modulus length in bits, leading zero bytes (some IdPs add one) left out. */
function bitLength(bytes: Uint8Array): number {
  let first = 0
  while (first < bytes.length && bytes[first] === 0) first++
  if (first === bytes.length) return 0
  return (bytes.length - first - 1) * 8 + bytes[first]!.toString(2).length
}

/**
 * The algorithms a public JWK can verify and its public members alone, after checking its strength
 * and shape. WebCrypto checks the rest (an Ed25519 point) when the key is first imported.
 */
export function inspect(jwk: JWK): { algorithms: readonly Algorithm[]; publicJwk: JWK } {
  switch (jwk.kty) {
    case 'RSA': {
      const n = member(jwk, 'n')
      checkRsa(bitLength(n), toBigInt(member(jwk, 'e')))
      if (isRocaModulus(toBigInt(n)))
        throw new KeyRejectedError('RSA key was made by a generator with the ROCA flaw (CVE-2017-15361)')
      return { algorithms: RSA_ALGORITHMS, publicJwk: { kty: 'RSA', n: jwk.n, e: jwk.e } }
    }
    case 'EC': {
      const alg = EC_ALGORITHM[String(jwk.crv)]
      if (!alg) throw new KeyRejectedError('EC keys must use P-256, P-384 or P-521')
      const x = member(jwk, 'x')
      const y = member(jwk, 'y')
      const size = EC_SIZES[jwk.crv!]!
      if (x.length !== size || y.length !== size || !isOnCurve(jwk.crv!, toBigInt(x), toBigInt(y)))
        throw new KeyRejectedError('EC key is not a point on its curve')
      return { algorithms: [alg], publicJwk: { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } }
    }
    case 'OKP': {
      if (jwk.crv !== 'Ed25519') throw new KeyRejectedError(`key type "${String(jwk.crv)}" is not supported`)
      if (member(jwk, 'x').length !== 32) throw new KeyRejectedError('Ed25519 key must be 32 bytes')
      return { algorithms: ['EdDSA', 'Ed25519'], publicJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } }
    }
    default:
      throw new KeyRejectedError(`key of type "${String(jwk.kty)}" could not be imported`)
  }
}
