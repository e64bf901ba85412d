import { AuthError } from '../errors.js'
import type { HeaderReader } from '../internal/headers.js'
import type { TokenReader } from './source.js'

// RFC 6750 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
// An auth-scheme (RFC 9110 11.1) followed by a space or the end: `bearer="x"` is a parameter, not a scheme.
const SCHEME = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s|$)/
const MAX_HEADER = 16 * 1024

// RFC 6750 3.1: these are about the request, not a token, so they answer 400 invalid_request.
const ambiguous = () =>
  new AuthError('token_ambiguous', 'request has more than one Authorization header', { status: 400 })
const malformed = (message: string) => new AuthError('token_malformed', message, { status: 400 })

/** The readers `bearer()` made: only they may take {@link readKnownBearer}'s shortcut. */
const builtIn = new WeakSet<TokenReader>()

/**
 * What a `bearer()` reader returns, with a shortcut for a token already verified: when the one
 * Authorization header is exactly `Bearer ` and a token `isKnown` vouches for (a cached token that
 * is a `b64token`, so the header is well-formed), the token is returned without the regular
 * expression, a ~1 µs scan of a 600-character header. Anything else takes the full check.
 *
 * @example
 * const token = readKnownBearer(headers, (candidate) => cache.isWellFormed(candidate))
 */
export function readKnownBearer(
  headers: HeaderReader,
  isKnown: (token: string) => boolean,
): string | undefined {
  const values = headers.all('authorization')
  if (values.length === 1) {
    const value = values[0]!
    if (value.length <= MAX_HEADER && value.startsWith('Bearer ')) {
      const token = value.slice(7)
      if (isKnown(token)) return token
    }
  }
  return readBearer(values)
}

/**
 * Whether `reader` is one that `bearer()` made, whose shortcut for known tokens may be taken.
 *
 * @example
 * isBuiltInBearer(bearer()) // true; a hand-written reader of kind 'bearer' is false
 */
export const isBuiltInBearer = (reader: TokenReader): boolean => builtIn.has(reader)

function readBearer(values: readonly string[]): string | undefined {
  if (values.length === 0) return undefined
  if (values.length > 1) throw ambiguous()
  const value = values[0]!
  if (value.length > MAX_HEADER) throw malformed('Authorization header is too large')
  // The common case in one match: the token's characters exclude ",", so a match is one header.
  const token = BEARER.exec(value)?.[1]
  if (token) return token
  // Fetch joins repeated headers with ", ", which no bearer token contains: look at every part.
  const parts = value.split(',')
  const bearers = parts.filter((part) => SCHEME.exec(part)?.[1]?.toLowerCase() === 'bearer').length
  if (bearers === 0) return undefined
  if (bearers > 1) throw ambiguous()
  if (parts.length > 1) throw malformed('Authorization header holds more than one scheme')
  throw malformed('Authorization header is not "Bearer <token>"')
}

/**
 * Reads the token from `Authorization: Bearer <token>` (RFC 6750 2.1). Other schemes read as no
 * token. A header that names `Bearer` but is not exactly `Bearer <token>` (`Bearer a b`, a bare
 * `Bearer`, `Basic x, Bearer y`) is `token_malformed`, and two Authorization headers are
 * `token_ambiguous`: both with status 400 (RFC 6750 3.1 `invalid_request`).
 *
 * @example
 * createAuth({ issuer, audience, jwks, sources: [bearer()] })
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function bearer(): TokenReader {
  const reader: TokenReader = {
    kind: 'bearer',
    name: 'authorization',
    read: (headers: HeaderReader) => readBearer(headers.all('authorization')),
  }
  // Frozen: a replaced `read` must not be bypassed by the shortcut for known tokens.
  Object.freeze(reader)
  builtIn.add(reader)
  return reader
}
