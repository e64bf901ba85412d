import { type JSONWebKeySet, SignJWT } from 'jose'
import type { DevKey } from './dev-keys.js'

/**
 * The audience of every demo token: the demo's tRPC and GraphQL APIs.
 *
 * @example
 * createAuth({ issuer: 'http://127.0.0.1:3000', audience: DEMO_AUDIENCE })
 */
export const DEMO_AUDIENCE = 'urn:portcullis:demo'

/** What a minted token says about its holder. */
export interface TokenClaims {
  /** The `sub` claim. */
  subject: string
  /** Granted scopes, written as the space-delimited `scope` claim. */
  scopes?: readonly string[]
  /** Granted roles, written as the `roles` claim. */
  roles?: readonly string[]
  /** Lifetime in seconds. @default 300 */
  ttl?: number
}

/** A development OpenID issuer: discovery, a JWKS and a token mint, all from one ES256 key. */
export interface DevIssuer {
  /** The `iss` value: the server's origin. */
  readonly issuer: string
  /** The `aud` value of minted tokens. */
  readonly audience: string
  /** The OIDC discovery document served at `/.well-known/openid-configuration`. */
  discovery(): Record<string, unknown>
  /** The public key set served at `/.well-known/jwks.json`. */
  jwks(): JSONWebKeySet
  /** Signs an RFC 9068-style access token. */
  mint(claims: TokenClaims): Promise<string>
}

/**
 * Creates the demo's dev issuer. Not an OAuth server: it mints tokens only for the demo's own pages
 * and for `pnpm portcullis token`.
 *
 * @example
 * const issuer = createDevIssuer({ key: await createDevKey(), issuer: 'http://127.0.0.1:3000' })
 * const token = await issuer.mint({ subject: 'alice', scopes: ['read:reports'] })
 */
export function createDevIssuer(options: { key: DevKey; issuer: string; audience?: string }): DevIssuer {
  const { key, issuer } = options
  const audience = options.audience ?? DEMO_AUDIENCE
  return {
    issuer,
    audience,
    discovery: () => ({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['ES256'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
    }),
    jwks: () => ({ keys: [key.publicJwk] }),
    async mint({ subject, scopes = [], roles = [], ttl = 300 }) {
      const now = Math.floor(Date.now() / 1000)
      return new SignJWT({ scope: scopes.join(' '), roles: [...roles] })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(subject)
        .setIssuedAt(now)
        .setExpirationTime(now + ttl)
        .setJti(crypto.randomUUID())
        .sign(key.privateKey)
    },
  }
}
