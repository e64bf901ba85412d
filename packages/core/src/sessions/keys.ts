import { createHash, createHmac, createPrivateKey, createPublicKey, hkdfSync, KeyObject } from 'node:crypto'
import {
  CompactEncrypt,
  type CryptoKey,
  compactDecrypt,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  errors as joseErrors,
  SignJWT,
} from 'jose'
import { AuthError } from '../errors.js'
import { decodeCanonical } from '../internal/base64url.js'
import { type Algorithm, keyFromJwk, keyFromSecret, type VerificationKey } from '../keys/key.js'
import type { SecretInput } from '../options.js'

/**
 * An asymmetric private key for signing sessions: `CryptoKey`, `KeyObject`, private JWK or PKCS#8 PEM.
 *
 * @example
 * const signingKey: PrivateKeyInput = generateKeyPairSync('ed25519').privateKey
 */
export type PrivateKeyInput = CryptoKey | KeyObject | JWK | string

/** The `typ` of every session access token, so no other token from the same keys passes as one. */
export const SESSION_TOKEN_TYPE = 'session+jwt'

/** How sessions sign (or seal) access tokens, and the keys that verify them. */
export interface SessionKeys {
  readonly algorithm: Algorithm
  readonly verificationKeys: readonly VerificationKey[]
  /** Signs, or seals when `sealed`, an access token with the current key. */
  issue(payload: JWTPayload): Promise<string>
  /** Opens a sealed token (JWE `dir` + `A256GCM`); undefined when sessions are not sealed. */
  readonly unseal:
    | ((token: string) => Promise<{ header: Record<string, unknown>; payload: JWTPayload }>)
    | undefined
  /** The public keys, for `sessions.jwks()`; empty for secrets. */
  readonly publicKeys: readonly JWK[]
}

const toArray = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T])
const textBytes = (value: string) => new TextEncoder().encode(value)

function secretBytes(secret: SecretInput, option: string): Uint8Array {
  const bytes = typeof secret === 'string' ? textBytes(secret) : secret
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"${option}" must be a string or a Uint8Array`)
  if (bytes.byteLength < 32) throw new TypeError(`"${option}" must be at least 32 bytes`)
  return Uint8Array.from(bytes)
}

// A key id that names a secret without revealing it: an HMAC of a fixed label.
const secretKid = (bytes: Uint8Array, label: string) =>
  `${label}-${createHmac('sha256', bytes).update(`portcullis ${label} kid`).digest('base64url').slice(0, 12)}`

function privateKeyOf(input: PrivateKeyInput, option: string): KeyObject {
  try {
    if (input instanceof KeyObject) return input
    if (typeof globalThis.CryptoKey !== 'undefined' && input instanceof globalThis.CryptoKey)
      return KeyObject.from(input)
    if (typeof input === 'string') return createPrivateKey(input)
    return createPrivateKey({ key: input as import('node:crypto').JsonWebKey, format: 'jwk' })
  } catch {
    throw new TypeError(`"${option}" must be a private key: CryptoKey, KeyObject, private JWK or PKCS#8 PEM`)
  }
}

/** RFC 7638 JWK thumbprint of an EC or OKP public key: a stable `kid`. */
function thumbprint(jwk: JWK): string {
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url')
}

function signingKeys(inputs: readonly PrivateKeyInput[], isArray: boolean): SessionKeys {
  const keys = inputs.map((input, index) => {
    const option = isArray ? `signingKey[${index}]` : 'signingKey'
    const key = privateKeyOf(input, option)
    if (key.type !== 'private')
      throw new TypeError(`"${option}" must be a private key, not a ${key.type} key`)
    const jwk = createPublicKey(key).export({ format: 'jwk' }) as JWK
    let alg: Algorithm
    if (key.asymmetricKeyType === 'ec' && jwk.crv === 'P-256') alg = 'ES256'
    else if (key.asymmetricKeyType === 'ed25519') alg = 'EdDSA'
    else throw new TypeError(`"${option}" must be an ES256 (P-256) or EdDSA (Ed25519) key`)
    const publicJwk: JWK = { ...jwk, kid: thumbprint(jwk), alg, use: 'sig' }
    return { key, alg, publicJwk }
  })
  const current = keys[0]!
  return {
    algorithm: current.alg,
    verificationKeys: keys.map(({ publicJwk }) => keyFromJwk(publicJwk)),
    publicKeys: keys.map(({ publicJwk }) => publicJwk),
    unseal: undefined,
    issue: (payload) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: current.alg, kid: current.publicJwk.kid!, typ: SESSION_TOKEN_TYPE })
        .sign(current.key),
  }
}

const JWE_PART = /^[A-Za-z0-9_-]*$/

function secretKeys(inputs: readonly SecretInput[], isArray: boolean, sealed: boolean): SessionKeys {
  const secrets = inputs.map((secret, index) => secretBytes(secret, isArray ? `secret[${index}]` : 'secret'))
  const signing = secrets.map((bytes) => ({ bytes, kid: secretKid(bytes, 'hs') }))
  // A separate key per purpose: the sealing key is derived, never the signing secret itself.
  const sealing = secrets.map((bytes) => ({
    key: new Uint8Array(hkdfSync('sha256', bytes, new Uint8Array(0), 'portcullis sealed session v1', 32)),
    kid: secretKid(bytes, 'enc'),
  }))
  const current = signing[0]!
  const currentSeal = sealing[0]!

  async function unseal(token: string) {
    const parts = token.split('.')
    if (parts.length !== 5 || parts.some((part) => !JWE_PART.test(part)))
      throw new AuthError('token_malformed', 'sealed token is not a compact JWE')
    const headerBytes = decodeCanonical(parts[0]!)
    let header: Record<string, unknown>
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes)) as Record<
        string,
        unknown
      >
    } catch {
      throw new AuthError('token_malformed', 'sealed token header is not valid JSON')
    }
    if (typeof header !== 'object' || header === null)
      throw new AuthError('token_malformed', 'sealed token header is not a JSON object')
    if (header.alg !== 'dir' || header.enc !== 'A256GCM')
      throw new AuthError('algorithm_not_allowed', 'sealed tokens must use "dir" and "A256GCM"')
    const key = sealing.find((candidate) => candidate.kid === header.kid)
    if (!key) throw new AuthError('key_not_found', 'no session secret matches the sealed token "kid"')
    let plaintext: Uint8Array
    try {
      ;({ plaintext } = await compactDecrypt(token, key.key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      }))
    } catch (error) {
      if (error instanceof joseErrors.JWEDecryptionFailed)
        throw new AuthError('signature_invalid', 'sealed token failed its integrity check')
      throw new AuthError('token_malformed', 'sealed token could not be opened')
    }
    let payload: unknown
    try {
      payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext))
    } catch {
      throw new AuthError('token_malformed', 'sealed token payload is not valid JSON')
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw new AuthError('token_malformed', 'sealed token payload is not a JSON object')
    return { header, payload: payload as JWTPayload }
  }

  return {
    algorithm: 'HS256',
    verificationKeys: signing.map(({ bytes, kid }, index) =>
      keyFromSecret(bytes, isArray ? `secret[${index}]` : 'secret', kid),
    ),
    publicKeys: [],
    unseal: sealed ? unseal : undefined,
    issue: sealed
      ? (payload) =>
          new CompactEncrypt(textBytes(JSON.stringify(payload)))
            .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: currentSeal.kid, typ: SESSION_TOKEN_TYPE })
            .encrypt(currentSeal.key)
      : (payload) =>
          new SignJWT(payload)
            .setProtectedHeader({ alg: 'HS256', kid: current.kid, typ: SESSION_TOKEN_TYPE })
            .sign(current.bytes),
  }
}

/** Builds the session keys from `secret` or `signingKey`; every mistake is a `TypeError` naming the option. */
export function sessionKeys(input: {
  secret?: SecretInput | readonly SecretInput[]
  signingKey?: PrivateKeyInput | readonly PrivateKeyInput[]
  sealed?: boolean
}): SessionKeys {
  const { secret, signingKey, sealed = false } = input
  if (typeof sealed !== 'boolean') throw new TypeError('"sealed" must be a boolean')
  if (secret !== undefined && signingKey !== undefined)
    throw new TypeError('give either "secret" or "signingKey", not both')
  if (secret !== undefined) {
    const secrets = toArray(secret)
    if (secrets.length === 0) throw new TypeError('"secret" must not be empty')
    return secretKeys(secrets, Array.isArray(secret), sealed)
  }
  if (signingKey !== undefined) {
    if (sealed)
      throw new TypeError('"sealed" needs "secret": sealed sessions are encrypted with a shared secret')
    const keys = toArray(signingKey)
    if (keys.length === 0) throw new TypeError('"signingKey" must not be empty')
    return signingKeys(keys, Array.isArray(signingKey))
  }
  throw new TypeError('createSessions() needs "secret" (at least 32 bytes) or "signingKey"')
}

/** The public half of the session keys as a JWKS. */
export function toJwks(keys: SessionKeys): JSONWebKeySet {
  return { keys: keys.publicKeys.map((jwk) => ({ ...jwk })) }
}
