import { toSeconds } from '../internal/duration.js'
import { checkHeaders, FetchError, fetchJson, isSecureUrl, reasonOf } from './fetch.js'
import { JWKS_DEFAULTS, type JwksOptions } from './jwks.js'

const hasCredentials = (url: URL) => url.username !== '' || url.password !== ''

/** The OpenID Connect discovery document URL of an issuer (OIDC Discovery 1.0, section 4). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
}

/**
 * Finds an issuer's `jwks_uri` by OIDC discovery. The document must name the same issuer, and the
 * key set must be served over HTTPS (plain HTTP only on loopback, for development). Redirects are
 * followed only within the issuer's origin. Throws a `TypeError` for bad `headers`; a failed fetch
 * rejects with an error whose message never quotes a header value.
 *
 * @example
 * const jwks = await discoverJwksUri('https://id.example.com') // 'https://id.example.com/jwks'
 */
export async function discoverJwksUri(issuer: string, options: JwksOptions = {}): Promise<string> {
  const headers = checkHeaders(options.headers, 'jwksOptions.headers')
  let location: URL
  try {
    location = new URL(discoveryUrl(issuer))
  } catch {
    throw new FetchError('issuer is not a URL, so its keys cannot be discovered')
  }
  // A document fetched over plain http names whatever jwks_uri a network attacker wants.
  if (!isSecureUrl(location)) throw new FetchError('issuer must use https for discovery')
  if (hasCredentials(location)) throw new FetchError('issuer must not contain a user name or password')
  let document: unknown
  try {
    document = await fetchJson(location.href, {
      timeout: toSeconds(options.timeout ?? JWKS_DEFAULTS.timeout, 'jwksOptions.timeout'),
      maxBytes: options.maxBytes ?? JWKS_DEFAULTS.maxBytes,
      headers,
      fetch: options.fetch,
    })
  } catch (error) {
    // A custom fetch's error may quote the URL or a header: only the safe reason travels on.
    throw error instanceof FetchError ? error : new FetchError(reasonOf(error))
  }
  if (typeof document !== 'object' || document === null)
    throw new FetchError('discovery document is not an object')
  const { issuer: named, jwks_uri: jwksUri } = document as { issuer?: unknown; jwks_uri?: unknown }
  // OIDC Discovery 4.3: the issuer in the document must be identical to the one asked for.
  if (named !== issuer) throw new FetchError('discovery document names a different issuer')
  if (typeof jwksUri !== 'string') throw new FetchError('discovery document has no jwks_uri')
  let url: URL
  try {
    url = new URL(jwksUri)
  } catch {
    throw new FetchError('discovery document has an invalid jwks_uri')
  }
  if (!isSecureUrl(url)) throw new FetchError('jwks_uri must use https')
  // fetch would refuse it, quoting the URL (and its password) in the error.
  if (hasCredentials(url)) throw new FetchError('jwks_uri must not contain a user name or password')
  return url.href
}
