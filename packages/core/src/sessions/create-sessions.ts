import { AuthError } from '../errors.js'
import { headerReader } from '../internal/headers.js'
import { readCookie } from '../sources/cookie.js'
import { guard } from './guard.js'
import { checkString } from './input.js'
import { createIssue } from './issue.js'
import { attachSessionLink } from './link.js'
import { createLogout } from './logout.js'
import type { Sessions, SessionsOptions } from './options.js'
import { createRotate } from './rotate.js'
import { sessionSettings } from './settings.js'
import { sessionKey } from './subjects.js'
import { createTokensFor } from './tokens.js'
import { verifierLinkOf } from './verifier-link.js'

/**
 * Creates sessions signed by this service: short-lived access tokens in an `HttpOnly` cookie, and
 * rotating refresh tokens checked against a store. Pass the result to `createAuth({ sessions })`
 * to verify them (revocation included) and refresh them transparently.
 *
 * @example
 * const sessions = createSessions({
 *   secret: [process.env.SESSION_SECRET!, process.env.SESSION_SECRET_PREVIOUS!],
 *   issuer: 'https://api.example.com',
 *   audience: 'https://api.example.com',
 * })
 * const { setCookie } = await sessions.issue({ subject: 'alice', roles: ['admin'] })
 * const auth = createAuth({ sessions })
 */
export function createSessions(options: SessionsOptions): Sessions {
  const settings = sessionSettings(options)
  const { issuer, keys, store, cookies, subjects } = settings
  const tokensFor = createTokensFor(settings)
  const rotate = createRotate(settings, tokensFor)
  const link = verifierLinkOf(settings, rotate)

  const sessions: Sessions = {
    issue: createIssue(settings, tokensFor),
    async refresh(input) {
      const token = typeof input === 'string' ? input : readCookie(headerReader(input), cookies.refreshName)
      if (token === undefined) throw new AuthError('token_missing', 'request has no refresh token')
      return rotate(token)
    },
    async revoke(sessionId) {
      checkString(sessionId, 'sessionId')
      await guard(() => store.delete(sessionKey(sessionId)))
    },
    async revokeSubject(subject) {
      await subjects.revokeAll(checkString(subject, 'subject'))
    },
    logout: createLogout(settings),
    jwks() {
      if (!keys.jwks)
        throw new TypeError(
          'jwks() needs "signingKey": sessions signed with a shared secret have no public keys',
        )
      return keys.jwks()
    },
    issuer,
    cookieName: cookies.name,
    refreshCookieName: cookies.refreshName,
  }
  return attachSessionLink(sessions, link)
}
