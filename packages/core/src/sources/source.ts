import type { HeaderReader } from '../internal/headers.js'

/**
 * Finds a token in a request's headers: `cookie(name)`, `bearer()`, or your own.
 *
 * @example
 * const apiKey: TokenReader = { kind: 'bearer', name: 'x-api-token', read: (h) => h.all('x-api-token')[0] }
 */
export interface TokenReader {
  /** What kind of source this is, reported as `identity.source`. */
  readonly kind: 'cookie' | 'bearer' | 'session'
  /** The cookie or header name. */
  readonly name: string
  /** Returns the token, undefined when the request carries none; throws an `AuthError` for malformed input. */
  read(headers: HeaderReader): string | undefined
}
