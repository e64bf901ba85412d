import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'

/** The algorithms every verification benchmark covers. */
export const ALGORITHMS = ['HS256', 'RS256', 'PS256', 'ES256', 'EdDSA'] as const
export type BenchAlgorithm = (typeof ALGORITHMS)[number]

export const ISSUER = 'https://id.example.com/'
export const AUDIENCE = 'https://api.example.com'

/** Key material for one algorithm: what the signer holds and what a verifier is configured with. */
export interface KeyMaterial {
  readonly alg: BenchAlgorithm
  /** Signs tokens. */
  readonly privateKey: CryptoKey | Uint8Array
  /** Verifies tokens: a `CryptoKey` imported once, the limit for a signature check. */
  readonly verifyKey: CryptoKey
  /** The HMAC secret (HS256) or the public JWK, for configurations that take serializable keys. */
  readonly secret: Uint8Array | undefined
  readonly publicJwk: JWK | undefined
}

export async function keyMaterial(alg: BenchAlgorithm): Promise<KeyMaterial> {
  if (alg === 'HS256') {
    const secret = new Uint8Array(32).map((_, index) => (index * 37 + 11) % 256)
    const verifyKey = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'verify',
    ])
    return { alg, privateKey: secret, verifyKey, secret, publicJwk: undefined }
  }
  const pair = await generateKeyPair(alg, { extractable: true })
  return {
    alg,
    privateKey: pair.privateKey,
    verifyKey: pair.publicKey,
    secret: undefined,
    publicJwk: { ...(await exportJWK(pair.publicKey)), alg, kid: `${alg.toLowerCase()}-1` },
  }
}

/** Signs a realistic access token: issuer, audience, subject, scopes, one hour of validity. */
export function signToken(material: KeyMaterial, claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ scope: 'read:reports write:reports', roles: ['reader'], ...claims })
    .setProtectedHeader(
      material.publicJwk ? { alg: material.alg, kid: material.publicJwk.kid } : { alg: material.alg },
    )
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('alice')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(material.privateKey)
}
