import { type Duration, toSeconds } from '../internal/duration.js'
import { checkHeaders, isSecureUrl } from '../keys/fetch.js'
import type { NormalizedIssuer } from '../normalized-issuer.js'
import { type ClientAuth, clientAuthOf, type PrivateKeyJwt } from './client-auth.js'

/**
 * The `introspection` option of `createAuth`: where opaque (non-JWT) access tokens are checked, by
 * RFC 7662 token introspection, authenticated by exactly one of `clientSecret` or `privateKeyJwt`.
 *
 * @example
 * createAuth({ issuer, audience, introspection: { endpoint: 'https://id.example.com/token/introspection', clientId: 'api', clientSecret } })
 * @see https://www.rfc-editor.org/rfc/rfc7662
 */
export type IntrospectionOptions = IntrospectionEndpointOptions &
  (
    | {
        /** Its client secret, sent with HTTP Basic (`client_secret_basic`, RFC 6749 2.3.1). Never reported. */
        clientSecret: string
        privateKeyJwt?: never
      }
    | {
        /** A private key signing a `private_key_jwt` assertion per request (RFC 7523). */
        privateKeyJwt: PrivateKeyJwt
        clientSecret?: never
      }
  )

/**
 * The fields of {@link IntrospectionOptions} besides its client authentication.
 *
 * @example
 * const common: IntrospectionEndpointOptions = { endpoint: 'https://id.example.com/token/introspection', clientId: 'api' }
 */
export interface IntrospectionEndpointOptions {
  /** The introspection endpoint: https (plain http only on loopback). */
  endpoint: string
  /** This API's client id at the authorization server. */
  clientId: string
  /**
   * The configured issuer whose `audience` and checks apply to introspected tokens; a response's
   * `iss`, when present, must equal it.
   * @default the only configured issuer
   */
  issuer?: string
  /** The longest an active answer is reused, besides never past its `exp`. @default '5m' */
  cacheMaxAge?: Duration
  /** How long one introspection request may take, body included. @default '5s' */
  timeout?: Duration
  /** The largest response accepted, in bytes. @default 65536 */
  maxBytes?: number
  /** Extra request headers. */
  headers?: Readonly<Record<string, string>>
  /** A custom `fetch`. @default globalThis.fetch */
  fetch?: typeof fetch
}

/** The `introspection` option, checked once. */
export interface NormalizedIntrospection {
  readonly endpoint: string
  /** The client authentication of each request. */
  readonly clientAuth: ClientAuth
  /** The issuer whose rules apply, with `tokenType` off (an opaque token has no header). */
  readonly issuer: NormalizedIssuer
  readonly cacheMaxAge: number
  readonly timeout: number
  readonly maxBytes: number
  readonly headers: Readonly<Record<string, string>> | undefined
  readonly fetch: typeof fetch | undefined
}

const nonEmpty = (value: unknown, option: string): string => {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`"introspection.${option}" must be a non-empty string`)
  return value
}

/**
 * Checks the `introspection` option at construction; a mistake is a `TypeError` naming the field
 * (never its value).
 *
 * @example
 * normalizeIntrospection({ endpoint, clientId: 'api', clientSecret }, issuers)
 */
export function normalizeIntrospection(
  input: IntrospectionOptions,
  issuers: ReadonlyMap<string, NormalizedIssuer>,
  sessionIssuer: string | undefined,
): NormalizedIntrospection {
  if (typeof input !== 'object' || input === null)
    throw new TypeError('"introspection" must be an object such as { endpoint, clientId, clientSecret }')
  const endpoint = nonEmpty(input.endpoint, 'endpoint')
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new TypeError('"introspection.endpoint" must be an absolute URL')
  }
  if (!isSecureUrl(url))
    throw new TypeError('"introspection.endpoint" must use https (plain http only on loopback)')
  if (url.username !== '' || url.password !== '')
    throw new TypeError('"introspection.endpoint" must not contain a user name or password')
  const clientId = nonEmpty(input.clientId, 'clientId')
  const clientAuth = clientAuthOf(clientId, input, url.href)
  const candidates = [...issuers.keys()].filter((issuer) => issuer !== sessionIssuer)
  let name: string
  if (input.issuer !== undefined) {
    name = nonEmpty(input.issuer, 'issuer')
    if (!candidates.includes(name))
      throw new TypeError('"introspection.issuer" must be one of the configured issuers')
  } else {
    if (candidates.length !== 1)
      throw new TypeError('"introspection.issuer" is required when more than one issuer is configured')
    name = candidates[0]!
  }
  const issuer = issuers.get(name)!
  const maxBytes = input.maxBytes ?? 65_536
  if (!Number.isInteger(maxBytes) || maxBytes < 256)
    throw new TypeError('"introspection.maxBytes" must be an integer of at least 256')
  return {
    endpoint: url.href,
    clientAuth,
    issuer: { ...issuer, rules: { ...issuer.rules, issuer: name, tokenType: undefined } },
    cacheMaxAge: toSeconds(input.cacheMaxAge ?? '5m', 'introspection.cacheMaxAge'),
    timeout: toSeconds(input.timeout ?? '5s', 'introspection.timeout'),
    maxBytes,
    headers: checkHeaders(input.headers, 'introspection.headers'),
    fetch: input.fetch,
  }
}
