/**
 * A JWS algorithm Portcullis verifies. `none` is not one of them.
 *
 * @example
 * createAuth({ issuer, audience, jwks, algorithms: ['ES256', 'RS256'] })
 */
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

/** The algorithm of each EC curve (RFC 7518 3.4). */
export const EC_ALGORITHM: Record<string, Algorithm> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
}
/** What an RSA key verifies. */
export const RSA_ALGORITHMS: readonly Algorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']
