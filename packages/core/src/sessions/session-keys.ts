import type { CryptoKey, JSONWebKeySet, JWK, JWTPayload } from 'jose'
import type { Algorithm, KeyObjectLike } from '../keys/key.js'
import type { KeySet } from '../keys/key-set.js'

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
