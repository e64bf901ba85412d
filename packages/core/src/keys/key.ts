import { createPublicKey, type KeyObject } from 'node:crypto'
import { importJWK, type JWK } from 'jose'

/** A JWS algorithm Portcullis verifies. `none` is not one of them. */
export type Algorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'

/** A public key: a `CryptoKey`, a Node `KeyObject`, a JWK, or a PEM string (SPKI or certificate). */
export type KeyInput = CryptoKey | KeyObject | JWK | string

export const HMAC_ALGORITHMS: readonly Algorithm[] = ['HS256', 'HS384', 'HS512']
export const ASYMMETRIC_ALGORITHMS: readonly Algorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]
export const ALL_ALGORITHMS: readonly Algorithm[] = [...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS]

const EC_ALGORITHM: Record<string, Algorithm> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }
const RSA_ALGORITHMS: readonly Algorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']
/** RFC 7518 3.2: an HMAC key is at least as long as the hash output. */
const HMAC_MIN_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 }

/** A key ready for verification, with the algorithms it may verify. */
export interface VerificationKey {
  readonly kid: string | undefined
  readonly algorithms: readonly Algorithm[]
  /** The key for `alg`, imported once and reused. */
  forAlgorithm(alg: Algorithm): Promise<CryptoKey | Uint8Array>
}

/** Why a key was refused; a `TypeError` for local keys, a skipped entry for a remote JWKS. */
export class KeyRejectedError extends Error {
  override name = 'KeyRejectedError'
}

function fromJwk(jwk: JWK): VerificationKey {
  if (jwk.use !== undefined && jwk.use !== 'sig')
    throw new KeyRejectedError(`key use "${jwk.use}" is not "sig"`)
  if (jwk.key_ops !== undefined && !jwk.key_ops.includes('verify'))
    throw new KeyRejectedError('key_ops does not include "verify"')
  if (jwk.kty === 'oct') throw new KeyRejectedError('symmetric keys belong in "secret", not in a key set')
  let keyObject: KeyObject
  try {
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...publicJwk } = jwk
    keyObject = createPublicKey({ key: publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' })
  } catch {
    throw new KeyRejectedError(`key of type "${String(jwk.kty)}" could not be imported`)
  }
  const algorithms = algorithmsOf(keyObject)
  const allowed = jwk.alg === undefined ? algorithms : algorithms.filter((alg) => alg === jwk.alg)
  if (allowed.length === 0)
    throw new KeyRejectedError(`key "alg" ${String(jwk.alg)} does not fit its key type`)
  return cryptoKeyCache(jwk.kid, allowed, keyObject.export({ format: 'jwk' }) as JWK)
}

function cryptoKeyCache(
  kid: string | undefined,
  algorithms: readonly Algorithm[],
  jwk: JWK,
): VerificationKey {
  const imported = new Map<Algorithm, Promise<CryptoKey | Uint8Array>>()
  return {
    kid,
    algorithms,
    forAlgorithm(alg) {
      let key = imported.get(alg)
      if (!key) {
        key = importJWK({ ...jwk, alg }, alg)
        imported.set(alg, key)
      }
      return key
    },
  }
}

/** The algorithms a public key can verify, after checking its strength. */
function algorithmsOf(key: KeyObject): readonly Algorithm[] {
  const details = key.asymmetricKeyDetails ?? {}
  switch (key.asymmetricKeyType) {
    case 'rsa': {
      if ((details.modulusLength ?? 0) < 2048)
        throw new KeyRejectedError('RSA keys must be at least 2048 bits')
      const exponent = details.publicExponent ?? 0n
      if (exponent < 65537n || exponent % 2n === 0n)
        throw new KeyRejectedError('RSA public exponent must be an odd number of at least 65537')
      return RSA_ALGORITHMS
    }
    case 'rsa-pss':
      throw new KeyRejectedError('RSA-PSS-only keys are not supported; use an RSA key')
    case 'ec': {
      const alg = EC_ALGORITHM[key.export({ format: 'jwk' }).crv ?? '']
      if (!alg) throw new KeyRejectedError('EC keys must use P-256, P-384 or P-521')
      return [alg]
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519']
    default:
      throw new KeyRejectedError(`key type "${String(key.asymmetricKeyType)}" is not supported`)
  }
}

/** Normalizes a JWK from a key set; throws {@link KeyRejectedError} for unusable or weak keys. */
export function keyFromJwk(jwk: JWK): VerificationKey {
  return fromJwk(jwk)
}

/** Normalizes a local key given in `keys`; throws a `TypeError` naming the option on bad input. */
export function keyFromInput(input: KeyInput, index: number): VerificationKey {
  try {
    if (typeof input === 'string') return fromJwk(createPublicKey(input).export({ format: 'jwk' }) as JWK)
    if (isCryptoKey(input)) return fromCryptoKey(input)
    if (isKeyObject(input)) {
      if (input.type === 'secret') throw new KeyRejectedError('symmetric keys belong in "secret"')
      return fromJwk(createPublicKey(input).export({ format: 'jwk' }) as JWK)
    }
    if (typeof input === 'object' && input !== null && typeof (input as JWK).kty === 'string')
      return fromJwk(input as JWK)
    throw new KeyRejectedError('expected a CryptoKey, KeyObject, JWK or PEM string')
  } catch (error) {
    const reason =
      error instanceof KeyRejectedError ? error.message : 'it could not be parsed as a public key'
    throw new TypeError(`"keys[${index}]" is not usable: ${reason}`)
  }
}

/** A WebCrypto key verifies exactly the one algorithm it was imported for. */
function fromCryptoKey(key: CryptoKey): VerificationKey {
  if (key.type === 'secret') throw new KeyRejectedError('symmetric keys belong in "secret"')
  if (!key.usages.includes('verify')) throw new KeyRejectedError('CryptoKey usages do not include "verify"')
  const algorithm = key.algorithm as RsaHashedKeyAlgorithm & EcKeyAlgorithm
  const bits = algorithm.hash?.name?.replace('SHA-', '')
  let alg: Algorithm | undefined
  switch (algorithm.name) {
    case 'RSASSA-PKCS1-v1_5':
    case 'RSA-PSS': {
      if (algorithm.modulusLength < 2048) throw new KeyRejectedError('RSA keys must be at least 2048 bits')
      const exponent = algorithm.publicExponent.reduce((value, byte) => value * 256n + BigInt(byte), 0n)
      if (exponent < 65537n || exponent % 2n === 0n)
        throw new KeyRejectedError('RSA public exponent must be an odd number of at least 65537')
      alg = `${algorithm.name === 'RSA-PSS' ? 'PS' : 'RS'}${bits}` as Algorithm
      break
    }
    case 'ECDSA':
      alg = EC_ALGORITHM[algorithm.namedCurve]
      break
    case 'Ed25519':
      return { kid: undefined, algorithms: ['EdDSA', 'Ed25519'], forAlgorithm: async () => key }
  }
  if (!alg || !ALL_ALGORITHMS.includes(alg))
    throw new KeyRejectedError(`CryptoKey algorithm ${algorithm.name} is not supported`)
  return { kid: undefined, algorithms: [alg], forAlgorithm: async () => key }
}

/** A shared secret for HMAC; throws a `TypeError` when shorter than 32 bytes. */
export function keyFromSecret(secret: string | Uint8Array, option: string, kid?: string): VerificationKey {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"${option}" must be a string or a Uint8Array`)
  if (bytes.byteLength < 32) throw new TypeError(`"${option}" must be at least 32 bytes`)
  const algorithms = HMAC_ALGORITHMS.filter((alg) => bytes.byteLength >= HMAC_MIN_BYTES[alg]!)
  const copy = Uint8Array.from(bytes)
  // jose imports raw bytes into a CryptoKey on every call; importing once per algorithm makes an
  // HMAC check cost what the signature costs (issue 7).
  const imported = new Map<Algorithm, Promise<CryptoKey>>()
  return {
    kid,
    algorithms,
    forAlgorithm(alg) {
      let key = imported.get(alg)
      if (!key) {
        const hash = { name: `SHA-${alg.slice(2)}` }
        key = crypto.subtle.importKey('raw', copy, { name: 'HMAC', hash }, false, ['sign', 'verify'])
        // A failed import is not remembered, so the next token tries again.
        key.catch(() => imported.delete(alg))
        imported.set(alg, key)
      }
      return key
    },
  }
}

function isKeyObject(value: unknown): value is KeyObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { constructor?: { name?: string } }).constructor?.name?.endsWith('KeyObject') === true
  )
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== 'undefined' && value instanceof CryptoKey
}
