import { AuthError } from '../errors.js'
import type { HeaderReader } from '../internal/headers.js'
import type { TokenReader } from '../sources/source.js'

// RFC 9449 7.1: `DPoP` followed by a token68, as `Bearer` is (RFC 6750 2.1).
const DPOP = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i
const DPOP_SCHEME = /^\s*DPoP(?:\s|$)/i
const MAX_HEADER = 16 * 1024

const malformed = () =>
  new AuthError('token_malformed', 'Authorization header is not "DPoP <token>"', { status: 400 })
const readers = new WeakSet<TokenReader>()
// The requests (their header readers) whose credential one of these readers took from `DPoP`.
const dpopRead = new WeakSet<HeaderReader>()

/**
 * The `Authorization` reader with the `DPoP` scheme added: `DPoP <token>` gives the token, anything
 * else is read by `reader` (`Bearer`, other schemes). A header holding `DPoP` beside another scheme
 * (two headers joined by Fetch) is malformed, 400, like two `Bearer`s.
 *
 * @example
 * const sources = [dpopScheme(bearer())]
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export function dpopScheme(reader: TokenReader): TokenReader {
  const wrapped: TokenReader = {
    kind: reader.kind,
    name: reader.name,
    read(headers: HeaderReader) {
      const values = headers.all('authorization')
      if (values.length === 1 && values[0]!.length <= MAX_HEADER) {
        const value = values[0]!
        if (DPOP_SCHEME.test(value)) {
          const token = DPOP.exec(value)?.[1]
          if (!token) throw malformed()
          dpopRead.add(headers)
          return token
        }
        // Fetch joins two headers with ", ": a DPoP one after another scheme is still two.
        if (value.includes(',') && value.split(',').some((part) => DPOP_SCHEME.test(part))) throw malformed()
      }
      return reader.read(headers)
    },
  }
  readers.add(wrapped)
  return wrapped
}

/**
 * The scheme a reader's credential came with: `'DPoP'` for `Authorization: DPoP`, `'Bearer'` for
 * any other Authorization reader, undefined for a cookie or another header.
 *
 * @example
 * schemeOf(reader, headers) // 'DPoP'
 */
export function schemeOf(reader: TokenReader, headers: HeaderReader): 'DPoP' | 'Bearer' | undefined {
  if (!readers.has(reader)) return reader.name === 'authorization' ? 'Bearer' : undefined
  return dpopRead.has(headers) ? 'DPoP' : 'Bearer'
}

/**
 * Whether the request's one Authorization header uses the DPoP scheme.
 *
 * @example
 * usesDpopScheme(headerReader(request)) // true for `Authorization: DPoP ...`
 */
export function usesDpopScheme(headers: HeaderReader): boolean {
  const values = headers.all('authorization')
  return values.length === 1 && DPOP_SCHEME.test(values[0]!)
}
