import { AuthError } from '../errors.js'
import type { HeaderReader } from '../internal/headers.js'
import type { TokenReader } from './source.js'

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** Every value sent for cookie `name`, across all Cookie headers (RFC 6265 5.4). */
export function readCookies(headers: HeaderReader, name: string): string[] {
  const found: string[] = []
  for (const header of headers.all('cookie')) {
    for (const pair of header.split(';')) {
      const eq = pair.indexOf('=')
      if (eq === -1 || pair.slice(0, eq).trim() !== name) continue
      let value = pair.slice(eq + 1).trim()
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
      found.push(value)
    }
  }
  return found
}

/**
 * The single value of cookie `name`, undefined when absent; two different values are rejected.
 *
 * @example
 * readCookie(headerReader(request), '__session') // the value, or undefined
 */
export function readCookie(headers: HeaderReader, name: string): string | undefined {
  const values = readCookies(headers, name).filter((value) => value !== '')
  if (values.length === 0) return undefined
  if (values.some((value) => value !== values[0]))
    throw new AuthError('token_ambiguous', `request has more than one "${name}" cookie`)
  return values[0]
}

/**
 * Reads the token from a cookie. Two different values for the same name (a cookie-tossing attack,
 * or a stale cookie on another path) are ambiguous and rejected rather than guessed between.
 *
 * @example
 * createAuth({ issuer, audience, jwks, sources: [cookie('__session'), bearer()] })
 */
export function cookie(name: string): TokenReader {
  if (typeof name !== 'string' || !COOKIE_NAME.test(name))
    throw new TypeError('"cookie" name must be a valid cookie name')
  return { kind: 'cookie', name, read: (headers: HeaderReader) => readCookie(headers, name) }
}
