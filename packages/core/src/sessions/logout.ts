import type { JWTPayload } from 'jose'
import { AuthError } from '../errors.js'
import { parseCompact } from '../internal/compact.js'
import { type HeaderReader, headerReader, type RequestLike } from '../internal/headers.js'
import { signedBy } from '../keys/signature.js'
import { readCookie } from '../sources/cookie.js'
import { guard } from './guard.js'
import type { LogoutResult } from './options.js'
import { hashSecret, isSessionId, parseRecord, parseRefreshToken } from './record.js'
import { MAX_COOKIE, type SessionSettings } from './settings.js'
import { sessionKey } from './subjects.js'

/** `Sessions.logout`: ends the session a request's cookies name, and clears its cookies. */
export function createLogout(settings: SessionSettings): (request: RequestLike) => Promise<LogoutResult> {
  const { keys, issuer, store, cookies, clearCookies } = settings

  /** The `sid` of an access token whose signature checks out, ignoring expiry (for logout). */
  async function sessionIdOf(token: string): Promise<string | undefined> {
    try {
      let payload: JWTPayload
      if (keys.unseal) payload = (await keys.unseal(token)).payload
      else {
        // The parse and signature check of every request's token; only expiry is not checked.
        const jws = parseCompact(token, MAX_COOKIE)
        if (jws.header.alg !== keys.algorithm) return undefined
        const [key] = await keys.keySet.candidates(jws.header.kid, keys.algorithm)
        if (!key || key.kid !== jws.header.kid) return undefined
        if (!(await signedBy(jws, await key.forAlgorithm(keys.algorithm), keys.algorithm))) return undefined
        payload = jws.payload
      }
      return payload.iss === issuer && isSessionId(payload.sid) ? payload.sid : undefined
    } catch {
      return undefined
    }
  }

  function readQuietly(headers: HeaderReader, name: string): string | undefined {
    try {
      return readCookie(headers, name)
    } catch {
      return undefined
    }
  }

  async function logout(request: RequestLike): Promise<LogoutResult> {
    const headers = headerReader(request)
    let sessionId: string | undefined
    const refreshToken = readQuietly(headers, cookies.refreshName)
    if (refreshToken !== undefined) {
      try {
        const parsed = parseRefreshToken(refreshToken)
        const raw = await guard(() => store.get(sessionKey(parsed.sessionId)))
        const record = raw === undefined ? undefined : parseRecord(raw)
        const hash = await hashSecret(parsed.secret)
        if (record && (record.rt === hash || record.old.includes(hash))) sessionId = parsed.sessionId
      } catch (error) {
        if (error instanceof AuthError && error.code === 'store_unavailable') throw error
      }
    }
    if (sessionId === undefined) {
      const accessToken = readQuietly(headers, cookies.name)
      if (accessToken !== undefined) sessionId = await sessionIdOf(accessToken)
    }
    if (sessionId !== undefined) {
      const id = sessionId
      await guard(() => store.delete(sessionKey(id)))
    }
    return { setCookie: [...clearCookies], sessionId }
  }

  return logout
}
