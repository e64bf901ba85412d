import { type CryptoKey, importJWK, type JWK } from 'jose'
import { decodeCanonical } from '../internal/base64url.js'
import { ALL_ALGORITHMS, type Algorithm, EC_ALGORITHM, HMAC_ALGORITHMS } from './algorithms.js'
import { checkRsa, inspect, KeyRejectedError } from './inspect.js'
import { PemError, publicJwkFromPem } from './pem.js'

export type { Algorithm } from './algorithms.js'
export { ALL_ALGORITHMS, ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS } from './algorithms.js'
export { isRocaModulus, KeyRejectedError } from './inspect.js'

/**
 * The shape of a Node.js `KeyObject` that Portcullis reads (its JWK export), so that core's types need
 * no `@types/node` and run where `node:crypto` does not exist.
 *
 * @example
 * const key: KeyObjectLike = crypto.createPublicKey(pem) // on Node.js
 */
export interface KeyObjectLike {
  readonly type: string
  export(options: { format: 'jwk' }): object
}

/**
 * A public key: a `CryptoKey`, a Node `KeyObject`, a JWK, or a PEM string (SPKI `PUBLIC KEY`,
 * `RSA PUBLIC KEY` or `CERTIFICATE`).
 *
 * @example
 * createAuth({ issuer, audience, keys: [fs.readFileSync('public.pem', 'utf8')] })
 */
export type KeyInput = CryptoKey | KeyObjectLike | JWK | string

/**
 * A shared HMAC secret: at least 32 bytes, as a string (UTF-8), bytes, or an `oct` JWK (`kid` and `alg` are honoured).
 *
 * @example
 * createAuth({ issuer, audience, secret: { kty: 'oct', kid: 'v2', alg: 'HS256', k: 'base64url-bytes...' } })
 */
export type SecretInput = string | Uint8Array | JWK

/** RFC 7518 3.2: an HMAC key is at least as long as the hash output. */
const HMAC_MIN_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 }

/** A key ready for verification, with the algorithms it may verify. */
export interface VerificationKey {
  readonly kid: string | undefined
  readonly algorithms: readonly Algorithm[]
  /** The key for `alg`, imported once and reused. */
  forAlgorithm(alg: Algorithm): Promise<CryptoKey | Uint8Array>
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const

/** RFC 7517 4.2 / 4.3: a verification key is for signatures, and `key_ops` (when given) allows "verify". */
function checkUse(jwk: JWK): void {
  if (jwk.use !== undefined && jwk.use !== 'sig')
    throw new KeyRejectedError(`key use "${String(jwk.use)}" is not "sig"`)
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify')))
    throw new KeyRejectedError('key_ops does not include "verify"')
}

function fromJwk(jwk: JWK): VerificationKey {
  checkUse(jwk)
  if (jwk.kty === 'oct') throw new KeyRejectedError('symmetric keys belong in "secret", not in a key set')
  // A published private key means anyone can sign: refuse the key rather than quietly use its public half.
  if (PRIVATE_MEMBERS.some((name) => Object.hasOwn(jwk, name)))
    throw new KeyRejectedError('key holds private key material; give public keys only')
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string')
    throw new KeyRejectedError('key "kid" must be a string')
  const { algorithms, publicJwk } = inspect(jwk)
  const allowed = jwk.alg === undefined ? algorithms : algorithms.filter((alg) => alg === jwk.alg)
  if (allowed.length === 0)
    throw new KeyRejectedError(`key "alg" ${String(jwk.alg)} does not fit its key type`)
  return cryptoKeyCache(jwk.kid, allowed, publicJwk)
}

function cryptoKeyCache(
  kid: string | undefined,
  algorithms: readonly Algorithm[],
  jwk: JWK,
): VerificationKey {
  return importedOnce(kid, algorithms, (alg) => importJWK({ ...jwk, alg }, alg))
}

/** A key imported once per algorithm, on first use; a failed import is retried by the next token. */
function importedOnce(
  kid: string | undefined,
  algorithms: readonly Algorithm[],
  importFor: (alg: Algorithm) => Promise<CryptoKey | Uint8Array>,
): VerificationKey {
  const imported = new Map<Algorithm, Promise<CryptoKey | Uint8Array>>()
  return {
    kid,
    algorithms,
    forAlgorithm(alg) {
      let key = imported.get(alg)
      if (!key) {
        key = importFor(alg)
        key.catch(() => imported.delete(alg))
        imported.set(alg, key)
      }
      return key
    },
  }
}

/** Normalizes a JWK from a key set; throws {@link KeyRejectedError} for unusable or weak keys. */
export function keyFromJwk(jwk: JWK): VerificationKey {
  return fromJwk(jwk)
}

/** Normalizes a local key given in `keys`; throws a `TypeError` naming the option on bad input. */
export function keyFromInput(input: KeyInput, index: number): VerificationKey {
  try {
    if (typeof input === 'string') return fromJwk(publicJwkFromPem(input))
    if (isCryptoKey(input)) return fromCryptoKey(input)
    if (isKeyObject(input)) {
      if (input.type === 'secret') throw new KeyRejectedError('symmetric keys belong in "secret"')
      // A private KeyObject verifies with its public half: keep only the public members.
      const jwk = input.export({ format: 'jwk' }) as JWK
      for (const name of PRIVATE_MEMBERS) delete jwk[name]
      return fromJwk(jwk)
    }
    if (typeof input === 'object' && input !== null && typeof (input as JWK).kty === 'string')
      return fromJwk(input as JWK)
    throw new KeyRejectedError('expected a CryptoKey, KeyObject, JWK or PEM string')
  } catch (error) {
    const reason =
      error instanceof KeyRejectedError || error instanceof PemError
        ? error.message
        : 'it could not be parsed as a public key'
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
      checkRsa(
        algorithm.modulusLength,
        algorithm.publicExponent.reduce((value, byte) => value * 256n + BigInt(byte), 0n),
      )
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

/** An `oct` JWK's bytes, `kid` and `alg`, checked; never echoes the key. */
function fromOctJwk(jwk: JWK, option: string): { bytes: Uint8Array; kid?: string; alg?: string } {
  try {
    checkUse(jwk)
  } catch (error) {
    throw new TypeError(`"${option}" is not usable: ${(error as Error).message}`)
  }
  if (typeof jwk.k !== 'string' || !/^[A-Za-z0-9_-]*$/.test(jwk.k))
    throw new TypeError(`"${option}" JWK must have "k" in base64url`)
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string')
    throw new TypeError(`"${option}" JWK "kid" must be a string`)
  if (jwk.alg !== undefined && !HMAC_ALGORITHMS.includes(jwk.alg as Algorithm))
    throw new TypeError(`"${option}" JWK "alg" must be HS256, HS384 or HS512`)
  const bytes = decodeCanonical(jwk.k)
  if (!bytes) throw new TypeError(`"${option}" JWK must have "k" in base64url`)
  return { bytes, kid: jwk.kid, alg: jwk.alg }
}

/**
 * A shared secret for HMAC: a string (UTF-8), bytes, or an `oct` JWK (its `kid` and `alg` are kept).
 * Throws a `TypeError` naming `option` when shorter than 32 bytes (RFC 7518 3.2: at least the hash size).
 */
export function keyFromSecret(
  secret: string | Uint8Array | JWK,
  option: string,
  defaultKid?: string,
): VerificationKey {
  let bytes: Uint8Array
  let kid = defaultKid
  let alg: string | undefined
  if (typeof secret === 'string') bytes = new TextEncoder().encode(secret)
  else if (secret instanceof Uint8Array) bytes = secret
  else if (typeof secret === 'object' && secret !== null && secret.kty === 'oct')
    ({ bytes, kid = defaultKid, alg } = fromOctJwk(secret, option))
  else throw new TypeError(`"${option}" must be a string, a Uint8Array or an "oct" JWK`)
  if (bytes.byteLength < 32) throw new TypeError(`"${option}" must be at least 32 bytes`)
  const algorithms = HMAC_ALGORITHMS.filter(
    (name) => bytes.byteLength >= HMAC_MIN_BYTES[name]! && (alg === undefined || alg === name),
  )
  if (algorithms.length === 0) throw new TypeError(`"${option}" is too short for its "alg" ${String(alg)}`)
  const copy = Uint8Array.from(bytes)
  // jose imports raw bytes into a CryptoKey on every call; importing once per algorithm makes an
  // HMAC check cost what the signature costs (issue 7).
  return importedOnce(kid, algorithms, (alg) =>
    crypto.subtle.importKey('raw', copy, { name: 'HMAC', hash: { name: `SHA-${alg.slice(2)}` } }, false, [
      'sign',
      'verify',
    ]),
  )
}

function isKeyObject(value: unknown): value is KeyObjectLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { export?: unknown }).export === 'function' &&
    (value as { constructor?: { name?: string } }).constructor?.name?.endsWith('KeyObject') === true
  )
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof globalThis.CryptoKey !== 'undefined' && value instanceof globalThis.CryptoKey
}
