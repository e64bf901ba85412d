import type { JSONWebKeySet, JWK, JWTPayload } from 'jose'
import type { Algorithm, KeyObjectLike } from '../keys/key.js'
import type { KeySet } from '../keys/key-set.js'
import type { SecretInput } from '../options.js'
import { secretKeys } from './secret-keys.js'
import { signingKeys } from './signing-keys.js'

/**
 * An asymmetric private key for signing sessions: a `CryptoKey` (extractable, or given as the pair
 * `{ privateKey, publicKey }`), a Node `KeyObject`, a private JWK, or a PKCS#8 PEM.
 *
 * @example
 * const signingKey: PrivateKeyInput = await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify'])
 */
export type PrivateKeyInput =
  | CryptoKey
  | { readonly privateKey: CryptoKey; readonly publicKey: CryptoKey }
  | KeyObjectLike
  | JWK
  | string

/** The `typ` of every session access token, so no other token from the same keys passes as one. */
export const SESSION_TOKEN_TYPE = 'session+jwt'

/** How sessions sign (or seal) access tokens, and the keys that verify them. */
export interface SessionKeys {
  readonly algorithm: Algorithm
  /** The keys that verify session access tokens; WebCrypto prepares them on first use. */
  readonly keySet: KeySet
  /** Signs, or seals when `sealed`, an access token with the current key. */
  issue(payload: JWTPayload): Promise<string>
  /** Opens a sealed token (JWE `dir` + `A256GCM`); undefined when sessions are not sealed. */
  readonly unseal:
    | ((token: string) => Promise<{ header: Record<string, unknown>; payload: JWTPayload }>)
    | undefined
  /** The public keys, for `sessions.jwks()`; undefined for secrets. */
  readonly jwks: (() => Promise<JSONWebKeySet>) | undefined
}

const toArray = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T])

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
