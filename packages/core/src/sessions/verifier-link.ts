import { AuthError } from '../errors.js'
import type { Identity } from '../identity.js'
import type { NormalizedIssuer } from '../normalized-issuer.js'
import { readCookie } from '../sources/cookie.js'
import { storeUnavailable } from './guard.js'
import type { SessionLink } from './link.js'
import { parseRecord, parseRefreshToken } from './record.js'
import type { Rotate } from './rotate.js'
import { SESSION_TOKEN_TYPE } from './session-keys.js'
import type { SessionSettings } from './settings.js'
import { sessionKey } from './subjects.js'

/**
 * What `createAuth({ sessions })` verifies sessions with: their issuer (with its one store read per
 * request), the cookie reader, and the transparent refresh.
 */
export function verifierLinkOf(settings: SessionSettings, rotate: Rotate): SessionLink {
  const { store, onStoreError, keys, issuer, audience, clockTolerance, cookies, now } = settings
  const { clearCookies, refreshBefore } = settings

  async function afterVerify(identity: Identity<unknown>): Promise<void> {
    // The one store read per request: revocations reach every instance, cached tokens included.
    let raw: string | undefined
    try {
      raw = await store.get(sessionKey(identity.sessionId!))
    } catch (error) {
      if (onStoreError === 'allow') return
      throw storeUnavailable(error)
    }
    const record = raw === undefined ? undefined : parseRecord(raw)
    if (!record || record.sub !== identity.subject) throw new AuthError('revoked', 'session has been revoked')
  }

  const normalizedIssuer: NormalizedIssuer = {
    keySet: keys.keySet,
    algorithms: [keys.algorithm],
    rules: {
      issuer,
      audience: new Set([audience]),
      tokenType: SESSION_TOKEN_TYPE,
      clockTolerance,
      maxTokenAge: undefined,
      requiredClaims: ['sid'],
    },
    afterVerify,
  }

  const link: SessionLink = {
    issuer: normalizedIssuer,
    reader: { kind: 'session', name: cookies.name, read: (headers) => readCookie(headers, cookies.name) },
    unseal: keys.unseal,
    now,
    clearCookies,
    refreshBefore,
    hasRefresh: (headers) => readCookie(headers, cookies.refreshName) !== undefined,
    async refresh(headers, currentExpiresAt, currentSessionId) {
      const token = readCookie(headers, cookies.refreshName)
      if (token === undefined) return undefined
      // A proactive refresh trades its own session's refresh token only: another session's cookie
      // beside it would switch the request to that session, and rotate it on a request not its own.
      if (currentSessionId !== undefined && parseRefreshToken(token).sessionId !== currentSessionId)
        return undefined
      const rotated = await rotate(token, currentExpiresAt)
      return rotated && { accessToken: rotated.accessToken, setCookie: rotated.setCookie }
    },
  }
  return link
}
