import { AuthError } from '../errors.js'
import { binaryBytes, decodeCanonical, decodeCanonicalBinary } from './base64url.js'
import { parseJsonBinary } from './json.js'

/** The protected header of a compact JWS, parsed but not verified yet. */
export type UnverifiedHeader = Readonly<Record<string, unknown>> & {
  readonly alg: string
  readonly kid: string | undefined
}

/**
 * What a signature check needs of a compact JWS, each part decoded once: the signing input (RFC 7515
 * 5.2: the ASCII bytes of `header.payload`) and the signature bytes.
 */
export interface SignedParts {
  readonly header: UnverifiedHeader
  readonly signingInput: Uint8Array<ArrayBuffer>
  readonly signature: Uint8Array<ArrayBuffer>
}

/** A compact JWS whose header parsed and whose parts are canonical, but whose signature is not checked yet. */
export interface UnverifiedJws extends SignedParts {
  /** The payload bytes, decoded from canonical base64url. */
  readonly payload: Uint8Array
}

/** A JWS in compact form whose header and payload parsed, but whose signature is not checked yet. */
export interface UnverifiedToken extends SignedParts {
  readonly payload: Readonly<Record<string, unknown>>
}

// Header members refused, and why. Key headers carry or point to key material: trusting them lets the
// token vouch for itself.
const REFUSED_HEADERS: ReadonlyMap<string, string> = new Map([
  ['jwk', 'token header "jwk" is not accepted: keys come from configuration only'],
  ['jku', 'token header "jku" is not accepted: keys come from configuration only'],
  ['x5u', 'token header "x5u" is not accepted: keys come from configuration only'],
  ['x5c', 'token header "x5c" is not accepted: keys come from configuration only'],
  ['crit', 'token header "crit" names extensions this verifier does not understand'],
  ['b64', 'token header "b64" is not accepted'],
])

/** How {@link parseJws} departs from its defaults. */
export interface ParseOptions {
  /** Lets a `jwk` header through (a DPoP proof carries its public key so; RFC 9449 4.2), never `jku`, `x5u` or `x5c`. */
  readonly embeddedJwk?: boolean
}

// Stateless: encode() keeps nothing between calls.
const ASCII = new TextEncoder()

const malformed = (message: string) => new AuthError('token_malformed', message)

function decode(segment: string, part: string): Uint8Array<ArrayBuffer> {
  const bytes = decodeCanonical(segment)
  if (!bytes) throw malformed(`token ${part} is not canonical base64url`)
  return bytes
}

function decodeBinary(segment: string, part: string): string {
  const binary = decodeCanonicalBinary(segment)
  if (binary === undefined) throw malformed(`token ${part} is not canonical base64url`)
  return binary
}

/** {@link parseJws}, with the payload left as a binary string (see `decodeCanonicalBinary`). */
function parseParts(
  token: string,
  maxTokenSize: number,
  options: ParseOptions | undefined,
): SignedParts & { readonly payload: string } {
  if (typeof token !== 'string' || token.length === 0)
    throw new AuthError('token_missing', 'no token was given')
  if (token.length > maxTokenSize) throw malformed(`token is larger than ${maxTokenSize} bytes`)
  const parts = token.split('.')
  if (parts.length === 5) throw malformed('encrypted tokens (JWE) are not accepted here')
  if (parts.length !== 3) throw malformed('token is not a compact JWS (three dot-separated parts)')
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string]
  const header = parseJsonBinary(decodeBinary(headerPart, 'header'), 'header')
  const alg = header.alg
  if (typeof alg !== 'string' || alg === '') throw malformed('token header has no "alg"')
  if (alg.toLowerCase() === 'none')
    throw new AuthError('algorithm_not_allowed', 'unsigned tokens (alg "none") are never accepted')
  // One pass over the header's own members (JSON.parse makes only own, enumerable ones): a token
  // header holds two or three, against six names to refuse.
  for (const name in header) {
    const refused = REFUSED_HEADERS.get(name)
    if (refused === undefined || !Object.hasOwn(header, name)) continue
    if (name === 'jwk' && options?.embeddedJwk === true) continue
    throw malformed(refused)
  }
  const kid = header.kid
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > 256))
    throw malformed('token header "kid" must be a short string')
  if (signaturePart === '') throw malformed('token has no signature')
  const signature = decode(signaturePart, 'signature')
  const payload = decodeBinary(payloadPart, 'payload')
  // Both parts decoded as canonical base64url, so the signing input is ASCII: one native encode.
  const signingInput = ASCII.encode(token.slice(0, headerPart.length + 1 + payloadPart.length))
  // The parsed object itself, not a copy: nothing else holds it, and `kid` was checked above.
  return { header: header as UnverifiedHeader, payload, signingInput, signature }
}

/**
 * Splits and decodes a compact JWS strictly: three canonical base64url parts, a JSON object header
 * (no member named twice, no byte-order mark),
 * an `alg` that is not `none`, no embedded keys, no `crit` extensions, and a size limit. The payload
 * may be any bytes; {@link parseCompact} requires a JSON object. `options.embeddedJwk` lets a `jwk`
 * header through (DPoP proofs).
 *
 * @example
 * const { header, payload, signingInput, signature } = parseJws(token, 8192)
 */
export function parseJws(token: string, maxTokenSize: number, options?: ParseOptions): UnverifiedJws {
  const jws = parseParts(token, maxTokenSize, options)
  return { ...jws, payload: binaryBytes(jws.payload) }
}

/**
 * {@link parseJws}, plus a payload that must be a JSON object (a JWT claims set).
 *
 * @example
 * const { header, payload } = parseCompact(token, 8192)
 */
export function parseCompact(token: string, maxTokenSize: number): UnverifiedToken {
  const jws = parseParts(token, maxTokenSize, undefined)
  return { ...jws, payload: parseJsonBinary(jws.payload, 'payload') }
}
