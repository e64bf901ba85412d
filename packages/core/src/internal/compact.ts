import { AuthError } from '../errors.js'
import { decodeCanonical } from './base64url.js'
import { parseJsonObject } from './json.js'

/** The protected header of a compact JWS, parsed but not verified yet. */
export type UnverifiedHeader = Readonly<Record<string, unknown>> & {
  readonly alg: string
  readonly kid: string | undefined
}

/** A compact JWS whose header parsed and whose parts are canonical, but whose signature is not checked yet. */
export interface UnverifiedJws {
  readonly header: UnverifiedHeader
  /** The payload bytes, decoded from canonical base64url. */
  readonly payload: Uint8Array
}

/** A JWS in compact form whose header and payload parsed, but whose signature is not checked yet. */
export interface UnverifiedToken {
  readonly header: UnverifiedHeader
  readonly payload: Readonly<Record<string, unknown>>
}

// Headers that carry or point to key material. Trusting them lets the token vouch for itself.
const KEY_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const

const malformed = (message: string) => new AuthError('token_malformed', message)

function decode(segment: string, part: string): Uint8Array {
  const bytes = decodeCanonical(segment)
  if (!bytes) throw malformed(`token ${part} is not canonical base64url`)
  return bytes
}

/**
 * Splits and decodes a compact JWS strictly: three canonical base64url parts, a JSON object header
 * (no member named twice, no byte-order mark),
 * an `alg` that is not `none`, no embedded keys, no `crit` extensions, and a size limit. The payload
 * may be any bytes; {@link parseCompact} requires a JSON object. `embeddedJwk` lets a `jwk` header
 * through (a DPoP proof carries its public key so; RFC 9449 4.2), never `jku`, `x5u` or `x5c`.
 */
export function parseJws(
  token: string,
  maxTokenSize: number,
  options?: { readonly embeddedJwk?: boolean },
): UnverifiedJws {
  if (typeof token !== 'string' || token.length === 0)
    throw new AuthError('token_missing', 'no token was given')
  if (token.length > maxTokenSize) throw malformed(`token is larger than ${maxTokenSize} bytes`)
  const parts = token.split('.')
  if (parts.length === 5) throw malformed('encrypted tokens (JWE) are not accepted here')
  if (parts.length !== 3) throw malformed('token is not a compact JWS (three dot-separated parts)')
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string]
  const header = parseJsonObject(decode(headerPart, 'header'), 'header')
  const alg = header.alg
  if (typeof alg !== 'string' || alg === '') throw malformed('token header has no "alg"')
  if (alg.toLowerCase() === 'none')
    throw new AuthError('algorithm_not_allowed', 'unsigned tokens (alg "none") are never accepted')
  for (const name of KEY_HEADERS)
    if (Object.hasOwn(header, name) && !(name === 'jwk' && options?.embeddedJwk === true))
      throw malformed(`token header "${name}" is not accepted: keys come from configuration only`)
  if (Object.hasOwn(header, 'crit'))
    throw malformed('token header "crit" names extensions this verifier does not understand')
  if (Object.hasOwn(header, 'b64')) throw malformed('token header "b64" is not accepted')
  const kid = header.kid
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > 256))
    throw malformed('token header "kid" must be a short string')
  if (signaturePart === '') throw malformed('token has no signature')
  decode(signaturePart, 'signature')
  const payload = decode(payloadPart, 'payload')
  return { header: { ...header, alg, kid: kid as string | undefined }, payload }
}

/** {@link parseJws}, plus a payload that must be a JSON object (a JWT claims set). */
export function parseCompact(token: string, maxTokenSize: number): UnverifiedToken {
  const { header, payload } = parseJws(token, maxTokenSize)
  return { header, payload: parseJsonObject(payload, 'payload') }
}
