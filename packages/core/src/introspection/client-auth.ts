import { type CryptoKey, importJWK, type JWK, SignJWT } from 'jose'

/**
 * `private_key_jwt` client authentication (RFC 7523): a private key that signs a short-lived
 * assertion for each introspection request.
 *
 * @example
 * const privateKeyJwt: PrivateKeyJwt = { key: privateJwk, alg: 'ES256', kid: 'api-2026' }
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export interface PrivateKeyJwt {
  /** The private key: a `CryptoKey` or a private JWK. */
  key: CryptoKey | JWK
  /** Its JWS algorithm. */
  alg: 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'EdDSA'
  /** The `kid` the authorization server knows the public key by. */
  kid?: string
}

const ALGORITHMS = new Set(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])

/** How a request authenticates: headers and form parameters to add. */
export type ClientAuth = () => Promise<{ headers: Record<string, string>; form: Record<string, string> }>

/**
 * Builds the client authentication of the introspection requests: `client_secret_basic`, or a
 * `private_key_jwt` assertion (audience: the endpoint; lifetime 60 s; a fresh `jti` each time).
 * Checked at construction; a `TypeError` names the field, never a secret.
 *
 * @example
 * const auth = clientAuthOf('api', { clientSecret: 's3cret' }, endpoint)
 * const { headers, form } = await auth()
 */
export function clientAuthOf(
  clientId: string,
  input: { clientSecret?: unknown; privateKeyJwt?: unknown },
  endpoint: string,
): ClientAuth {
  const given = [input.clientSecret, input.privateKeyJwt].filter((value) => value !== undefined).length
  if (given !== 1)
    throw new TypeError('"introspection" needs exactly one of "clientSecret" or "privateKeyJwt"')
  if (input.clientSecret !== undefined) {
    if (typeof input.clientSecret !== 'string' || input.clientSecret === '')
      throw new TypeError('"introspection.clientSecret" must be a non-empty string')
    // RFC 6749 2.3.1: each part is form-urlencoded before Basic encoding.
    const form = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
    const pair = new TextEncoder().encode(`${form(clientId)}:${form(input.clientSecret)}`)
    const headers = { authorization: `Basic ${btoa(String.fromCharCode(...pair))}` }
    return async () => ({ headers, form: {} })
  }
  const options = input.privateKeyJwt as Partial<PrivateKeyJwt> | null
  if (typeof options !== 'object' || options === null || options.key === undefined)
    throw new TypeError('"introspection.privateKeyJwt" must be { key, alg, kid? }')
  const { alg, kid } = options
  if (typeof alg !== 'string' || !ALGORITHMS.has(alg))
    throw new TypeError(`"introspection.privateKeyJwt.alg" must be one of ${[...ALGORITHMS].join(', ')}`)
  if (kid !== undefined && (typeof kid !== 'string' || kid === ''))
    throw new TypeError('"introspection.privateKeyJwt.kid" must be a non-empty string')
  const raw = options.key
  if (!isCryptoKey(raw) && (typeof (raw as JWK).d !== 'string' || typeof (raw as JWK).kty !== 'string'))
    throw new TypeError('"introspection.privateKeyJwt.key" must be a private CryptoKey or a private JWK')
  let key: Promise<CryptoKey | Uint8Array> | undefined
  return async () => {
    key ??= isCryptoKey(raw) ? Promise.resolve(raw) : importJWK(raw as JWK, alg)
    const assertion = await new SignJWT({})
      .setProtectedHeader(kid === undefined ? { alg } : { alg, kid })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(endpoint)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(await key)
    return {
      headers: {},
      form: {
        client_id: clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      },
    }
  }
}

const isCryptoKey = (value: unknown): value is CryptoKey =>
  typeof globalThis.CryptoKey !== 'undefined' && value instanceof globalThis.CryptoKey
