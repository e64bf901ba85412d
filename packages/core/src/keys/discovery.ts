import { toSeconds } from '../internal/duration.js'
import { fetchJson, isSecureUrl, JWKS_DEFAULTS, type JwksOptions } from './jwks.js'

/** The OpenID Connect discovery document URL of an issuer (OIDC Discovery 1.0, section 4). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
}

/**
 * Finds an issuer's `jwks_uri` by OIDC discovery. The document must name the same issuer, and the
 * key set must be served over HTTPS (plain HTTP only on loopback, for development).
 *
 * @example
 * const jwks = await discoverJwksUri('https://id.example.com') // 'https://id.example.com/jwks'
 */
export async function discoverJwksUri(issuer: string, options: JwksOptions = {}): Promise<string> {
  const document = await fetchJson(discoveryUrl(issuer), {
    timeout: toSeconds(options.timeout ?? JWKS_DEFAULTS.timeout, 'jwks.timeout'),
    maxBytes: options.maxBytes ?? JWKS_DEFAULTS.maxBytes,
    headers: options.headers,
    fetch: options.fetch,
  })
  if (typeof document !== 'object' || document === null)
    throw new Error('discovery document is not an object')
  const { issuer: named, jwks_uri: jwksUri } = document as { issuer?: unknown; jwks_uri?: unknown }
  // OIDC Discovery 4.3: the issuer in the document must be identical to the one asked for.
  if (named !== issuer) throw new Error('discovery document names a different issuer')
  if (typeof jwksUri !== 'string') throw new Error('discovery document has no jwks_uri')
  let url: URL
  try {
    url = new URL(jwksUri)
  } catch {
    throw new Error('discovery document has an invalid jwks_uri')
  }
  if (!isSecureUrl(url)) throw new Error('jwks_uri must use https')
  return url.href
}
