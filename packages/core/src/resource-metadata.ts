import { isSecureUrl } from './keys/fetch.js'

/**
 * The `resource` option of `createAuth`: this API's RFC 9728 protected-resource metadata. Field
 * names are the RFC's members, camel-cased.
 *
 * @example
 * createAuth({ issuer, audience, jwks, resource: { resource: 'https://api.example.com/mcp', scopesSupported: ['tools:call'] } })
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 */
export interface ProtectedResourceOptions {
  /** This API's resource identifier: an https URL without fragment (plain http only on loopback). */
  resource: string
  /** Issuer identifiers of the authorization servers clients get tokens from. @default the configured issuers */
  authorizationServers?: readonly string[]
  /** Scopes a client may request for this API. */
  scopesSupported?: readonly string[]
  /** How a bearer token may be sent. @default ['header'] */
  bearerMethodsSupported?: readonly ('header' | 'body' | 'query')[]
  /** Where this API's own signing keys are published, if it signs anything. */
  jwksUri?: string
  /** A human-readable name of the API. */
  resourceName?: string
  /** A page with developer documentation. */
  resourceDocumentation?: string
  /** A page on how clients may use the data. */
  resourcePolicyUri?: string
  /** The terms of service. */
  resourceTosUri?: string
  /** JWS algorithms this API accepts in DPoP proofs. */
  dpopSigningAlgValuesSupported?: readonly string[]
  /** Whether this API always requires DPoP-bound tokens. */
  dpopBoundAccessTokensRequired?: boolean
}

/**
 * The RFC 9728 metadata document, as served at `/.well-known/oauth-protected-resource`.
 *
 * @example
 * const document: ProtectedResourceMetadata = auth.protectedResourceMetadata()!
 * document.resource // 'https://api.example.com/mcp'
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-2
 */
export interface ProtectedResourceMetadata {
  readonly resource: string
  readonly authorization_servers?: readonly string[]
  readonly scopes_supported?: readonly string[]
  readonly bearer_methods_supported: readonly string[]
  readonly jwks_uri?: string
  readonly resource_name?: string
  readonly resource_documentation?: string
  readonly resource_policy_uri?: string
  readonly resource_tos_uri?: string
  readonly dpop_signing_alg_values_supported?: readonly string[]
  readonly dpop_bound_access_tokens_required?: boolean
}

/** The normalized `resource` option: the document, and where it is served. */
export interface NormalizedResource {
  readonly document: ProtectedResourceMetadata
  /** The absolute metadata URL, for `resource_metadata` in challenges. */
  readonly url: string
  /** The path part of {@link url}, for routing. */
  readonly path: string
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource'

/**
 * The metadata URL of a resource identifier: the well-known path goes between the host and the
 * resource's path (RFC 9728 §3.1), so `https://api.example.com/mcp` is described at
 * `https://api.example.com/.well-known/oauth-protected-resource/mcp`.
 *
 * @example
 * resourceMetadataUrl('https://api.example.com/mcp') // 'https://api.example.com/.well-known/oauth-protected-resource/mcp'
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3.1
 */
export function resourceMetadataUrl(resource: string): string {
  const url = new URL(resource)
  // §3.1: a path of just "/" is the host's terminating slash, which is dropped.
  const path = url.pathname === '/' ? '' : url.pathname
  return `${url.origin}${WELL_KNOWN}${path}${url.search}`
}

function checkUrl(value: unknown, option: string, httpsOnly: boolean): string {
  let url: URL
  try {
    url = new URL(value as string)
  } catch {
    throw new TypeError(`"${option}" must be an absolute URL`)
  }
  if (typeof value !== 'string') throw new TypeError(`"${option}" must be an absolute URL`)
  if (httpsOnly && !isSecureUrl(url))
    throw new TypeError(`"${option}" must use https (plain http only on loopback)`)
  if (url.hash !== '' || value.includes('#')) throw new TypeError(`"${option}" must not have a fragment`)
  if (url.username !== '' || url.password !== '')
    throw new TypeError(`"${option}" must not contain a user name or password`)
  return value
}

function checkStrings(value: unknown, option: string, check?: (item: string) => boolean): string[] {
  if (
    !Array.isArray(value) ||
    value.some((item) => typeof item !== 'string' || item === '' || (check !== undefined && !check(item)))
  )
    throw new TypeError(`"${option}" must be an array of non-empty strings${check ? ' as listed' : ''}`)
  return [...value]
}

/**
 * Checks the `resource` option once, at construction; a mistake is a `TypeError` naming the field.
 *
 * @example
 * normalizeResource({ resource: 'https://api.example.com' }, ['https://id.example.com/']).url
 * // 'https://api.example.com/.well-known/oauth-protected-resource'
 */
export function normalizeResource(
  input: ProtectedResourceOptions,
  issuers: readonly string[],
): NormalizedResource {
  if (typeof input !== 'object' || input === null)
    throw new TypeError('"resource" must be an object such as { resource: "https://api.example.com" }')
  const resource = checkUrl(input.resource, 'resource.resource', true)
  const servers =
    input.authorizationServers === undefined
      ? // An issuer that is no https URL (a plain name) cannot be an authorization server identifier.
        issuers.filter((issuer) => URL.canParse(issuer) && isSecureUrl(new URL(issuer)))
      : checkStrings(input.authorizationServers, 'resource.authorizationServers').map((server, index) =>
          checkUrl(server, `resource.authorizationServers[${index}]`, true),
        )
  const document: Record<string, unknown> = { resource }
  if (servers.length > 0) document.authorization_servers = Object.freeze([...servers])
  if (input.scopesSupported !== undefined)
    document.scopes_supported = checkStrings(input.scopesSupported, 'resource.scopesSupported', (scope) =>
      /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope),
    )
  document.bearer_methods_supported =
    input.bearerMethodsSupported === undefined
      ? ['header']
      : checkStrings(input.bearerMethodsSupported, 'resource.bearerMethodsSupported', (method) =>
          ['header', 'body', 'query'].includes(method),
        )
  if (input.jwksUri !== undefined) document.jwks_uri = checkUrl(input.jwksUri, 'resource.jwksUri', true)
  for (const [option, member] of [
    ['resourceName', 'resource_name'],
    ['resourceDocumentation', 'resource_documentation'],
    ['resourcePolicyUri', 'resource_policy_uri'],
    ['resourceTosUri', 'resource_tos_uri'],
  ] as const) {
    const value = input[option]
    if (value === undefined) continue
    document[member] =
      option === 'resourceName' ? checkName(value) : checkUrl(value, `resource.${option}`, false)
  }
  if (input.dpopSigningAlgValuesSupported !== undefined)
    document.dpop_signing_alg_values_supported = checkStrings(
      input.dpopSigningAlgValuesSupported,
      'resource.dpopSigningAlgValuesSupported',
    )
  if (input.dpopBoundAccessTokensRequired !== undefined) {
    if (typeof input.dpopBoundAccessTokensRequired !== 'boolean')
      throw new TypeError('"resource.dpopBoundAccessTokensRequired" must be a boolean')
    document.dpop_bound_access_tokens_required = input.dpopBoundAccessTokensRequired
  }
  for (const value of Object.values(document)) if (Array.isArray(value)) Object.freeze(value)
  const url = resourceMetadataUrl(resource)
  return {
    document: Object.freeze(document) as unknown as ProtectedResourceMetadata,
    url,
    path: new URL(url).pathname,
  }
}

function checkName(value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new TypeError('"resource.resourceName" must be a non-empty string')
  return value
}
