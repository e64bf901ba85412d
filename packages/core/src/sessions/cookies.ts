const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const ATTRIBUTE_VALUE = /^[\x21-\x3a\x3c-\x7e]+$/

/**
 * How the session cookies are set. Defaults follow the `__Host-` prefix rules.
 *
 * @example
 * createSessions({ secret, issuer, audience, cookie: { name: '__Host-app', sameSite: 'Strict' } })
 */
export interface SessionCookieOptions {
  /** The access cookie's name. @default '__Host-session' */
  name?: string
  /** The refresh cookie's name. @default `${name}-refresh` */
  refreshName?: string
  /** `Secure`: sent over HTTPS only (browsers treat localhost as secure). @default true */
  secure?: boolean
  /** `HttpOnly`: hidden from page scripts. @default true */
  httpOnly?: boolean
  /** `SameSite`. `'None'` requires `secure`. @default 'Lax' */
  sameSite?: 'Strict' | 'Lax' | 'None'
  /** `Path`. Must be `/` for `__Host-` names, and cover every route that authenticates. @default '/' */
  path?: string
  /** `Domain`. Not allowed with `__Host-` names; without it the cookie stays on this host. */
  domain?: string
}

/** Cookie settings after validation: names and the attribute suffix shared by every cookie. */
export interface NormalizedCookies {
  readonly name: string
  readonly refreshName: string
  /** Serializes a cookie that lives `maxAge` seconds. */
  set(name: string, value: string, maxAge: number): string
  /** A `Set-Cookie` value that removes the cookie (same Path and Domain, so it matches). */
  clear(name: string): string
}

/** Checks cookie options against RFC 6265 and the prefix rules; a breach is a `TypeError` naming the option. */
export function normalizeCookies(input: SessionCookieOptions = {}): NormalizedCookies {
  if (typeof input !== 'object' || input === null) throw new TypeError('"cookie" must be an object')
  const name = input.name ?? '__Host-session'
  if (typeof name !== 'string' || !TOKEN.test(name))
    throw new TypeError('"cookie.name" must be a valid cookie name')
  const refreshName = input.refreshName ?? `${name}-refresh`
  if (typeof refreshName !== 'string' || !TOKEN.test(refreshName))
    throw new TypeError('"cookie.refreshName" must be a valid cookie name')
  if (refreshName === name) throw new TypeError('"cookie.refreshName" must differ from "cookie.name"')
  const secure = input.secure ?? true
  const httpOnly = input.httpOnly ?? true
  const sameSite = input.sameSite ?? 'Lax'
  if (!['Strict', 'Lax', 'None'].includes(sameSite))
    throw new TypeError('"cookie.sameSite" must be "Strict", "Lax" or "None"')
  const path = input.path ?? '/'
  if (typeof path !== 'string' || !path.startsWith('/') || !ATTRIBUTE_VALUE.test(path))
    throw new TypeError('"cookie.path" must start with "/" and hold no spaces, ";" or control characters')
  const domain = input.domain
  if (domain !== undefined && (typeof domain !== 'string' || domain === '' || !ATTRIBUTE_VALUE.test(domain)))
    throw new TypeError('"cookie.domain" must be a host name')

  for (const [option, cookieName] of [
    ['cookie.name', name],
    ['cookie.refreshName', refreshName],
  ] as const) {
    // RFC 6265bis 4.1.3: browsers drop a prefixed cookie that breaks its prefix's rules.
    const lower = cookieName.toLowerCase()
    if (lower.startsWith('__host-')) {
      if (!secure)
        throw new TypeError(`"${option}" starts with "__Host-", which requires "cookie.secure" to be true`)
      if (path !== '/')
        throw new TypeError(`"${option}" starts with "__Host-", which requires "cookie.path" to be "/"`)
      if (domain !== undefined)
        throw new TypeError(`"${option}" starts with "__Host-", which forbids "cookie.domain"`)
    }
    if (lower.startsWith('__secure-') && !secure)
      throw new TypeError(`"${option}" starts with "__Secure-", which requires "cookie.secure" to be true`)
  }
  if (sameSite === 'None' && !secure)
    throw new TypeError('"cookie.sameSite" "None" requires "cookie.secure" to be true')

  const attributes = [
    `Path=${path}`,
    ...(domain === undefined ? [] : [`Domain=${domain}`]),
    ...(httpOnly ? ['HttpOnly'] : []),
    ...(secure ? ['Secure'] : []),
    `SameSite=${sameSite}`,
  ].join('; ')

  return {
    name,
    refreshName,
    set: (cookieName, value, maxAge) =>
      `${cookieName}=${value}; Max-Age=${Math.max(0, Math.floor(maxAge))}; ${attributes}`,
    clear: (cookieName) => `${cookieName}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; ${attributes}`,
  }
}
