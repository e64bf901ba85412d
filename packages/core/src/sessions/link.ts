import type { JWTPayload } from 'jose'
import type { HeaderReader } from '../internal/headers.js'
import type { NormalizedIssuer } from '../normalized-issuer.js'
import type { TokenReader } from '../sources/source.js'

/** What `createAuth` needs from a `Sessions` object. Internal: reached through {@link sessionLinkOf}. */
export interface SessionLink {
  /** The sessions' issuer, with `afterVerify` checking revocation in the store. */
  readonly issuer: NormalizedIssuer
  /** Reads the access cookie. */
  readonly reader: TokenReader
  /** Opens sealed access tokens; undefined when sessions are signed. */
  readonly unseal:
    | ((token: string) => Promise<{ header: Record<string, unknown>; payload: JWTPayload }>)
    | undefined
  /** The sessions' clock, in milliseconds. */
  readonly now: () => number
  /** Whether the request carries a refresh cookie, without trading it. */
  hasRefresh(headers: HeaderReader): boolean
  /**
   * Refreshes from the refresh cookie; undefined when the request has none. Throws `AuthError`s.
   * With `currentExpiresAt` (a proactive refresh), also undefined when a new access token would not
   * outlive the current one (the session ends with it), and, given the current token's `sessionId`,
   * when the refresh cookie belongs to another session (it is left alone).
   */
  refresh(
    headers: HeaderReader,
    currentExpiresAt?: number,
    sessionId?: string,
  ): Promise<{ accessToken: string; setCookie: readonly string[] } | undefined>
  /** How close to its expiry, in milliseconds, a valid access token is refreshed; 0: never. */
  readonly refreshBefore: number
  /** `Set-Cookie` values that clear every session cookie. */
  readonly clearCookies: readonly string[]
}

// Kept beside the public object rather than on it, so the public type stays small.
const links = new WeakMap<object, SessionLink>()

/** Attaches the link to a `Sessions` object. */
export function attachSessionLink<T extends object>(sessions: T, link: SessionLink): T {
  links.set(sessions, link)
  return sessions
}

/** The link of a `Sessions` object, or a `TypeError` for anything else. */
export function sessionLinkOf(value: unknown): SessionLink {
  const link = typeof value === 'object' && value !== null ? links.get(value) : undefined
  if (!link) throw new TypeError('"sessions" must be the object createSessions() returns')
  return link
}
