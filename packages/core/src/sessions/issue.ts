import { guard } from './guard.js'
import { checkInput } from './input.js'
import type { IssuedSession, SessionInput } from './options.js'
import { hashSecret, newSecret, newSessionId, type SessionRecord } from './record.js'
import { MAX_COOKIE, type SessionSettings } from './settings.js'
import { sessionKey } from './subjects.js'
import type { TokensFor } from './tokens.js'

/** `Sessions.issue`: starts a session, stores its record and lists it under its subject. */
export function createIssue(
  settings: SessionSettings,
  tokensFor: TokensFor,
): (input: SessionInput) => Promise<IssuedSession> {
  const { now, refreshTtl, recordTtl, store, subjects } = settings
  return async function issue(input: SessionInput): Promise<IssuedSession> {
    const data = checkInput(input)
    const at = now()
    const sessionId = newSessionId()
    const secret = newSecret()
    const exp = at + refreshTtl * 1000
    const record: SessionRecord = {
      v: 1,
      ...data,
      exp,
      rt: await hashSecret(secret),
      old: [],
      rotatedAt: at,
      ttl: recordTtl({ exp }, at),
    }
    const issued = await tokensFor(sessionId, record, secret, at)
    // Browsers silently drop a cookie past 4096 bytes: say so now, not as a mysterious logout.
    if (issued.setCookie[0]!.length > MAX_COOKIE)
      throw new TypeError('"claims" make the access token too large for a cookie (4 KB): keep them small')
    await guard(() => store.set(sessionKey(sessionId), JSON.stringify(record), record.ttl! / 1000))
    try {
      await subjects.add(data.sub, sessionId, record.exp)
    } catch (error) {
      // A session revokeSubject cannot find must not stay alive.
      await guard(() => store.delete(sessionKey(sessionId))).catch(() => {})
      throw error
    }
    return issued
  }
}
