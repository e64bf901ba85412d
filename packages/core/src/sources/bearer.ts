import { AuthError } from '../errors.js'
import type { HeaderReader } from '../internal/headers.js'
import type { TokenReader } from './source.js'

// RFC 6750 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
const MAX_HEADER = 16 * 1024

/**
 * Reads the token from `Authorization: Bearer <token>` (RFC 6750 2.1). Other schemes read as no
 * token; two Authorization headers are ambiguous and rejected.
 *
 * @example
 * createAuth({ issuer, audience, jwks, sources: [bearer()] })
 */
export function bearer(): TokenReader {
  return {
    kind: 'bearer',
    name: 'authorization',
    read(headers: HeaderReader) {
      const values = headers.all('authorization')
      if (values.length === 0) return undefined
      if (values.length > 1)
        throw new AuthError('token_ambiguous', 'request has more than one Authorization header')
      const value = values[0]!
      if (value.length > MAX_HEADER)
        throw new AuthError('token_malformed', 'Authorization header is too large')
      // The common case in one match: the token's characters exclude ",", so a match is one header.
      const token = BEARER.exec(value)?.[1]
      if (token) return token
      const scheme = /^\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)/.exec(value)?.[1]
      if (scheme?.toLowerCase() !== 'bearer') return undefined
      // Fetch joins repeated headers with ", ", which no bearer token contains.
      if (value.includes(','))
        throw new AuthError('token_ambiguous', 'request has more than one Authorization header')
      throw new AuthError('token_malformed', 'Authorization header is not "Bearer <token>"')
    },
  }
}
