import type { JWTPayload } from 'jose'
import { AuthError } from '../errors.js'
import type { Identity } from '../identity.js'
import { parseCompact } from '../internal/compact.js'
import { toSeconds } from '../internal/duration.js'
import { type HeaderReader, headerReader, type RequestLike } from '../internal/headers.js'
import { signedBy } from '../keys/signature.js'
import type { NormalizedIssuer } from '../normalized-issuer.js'
import { readCookie } from '../sources/cookie.js'
import { memoryStore } from '../stores/memory.js'
import type { Store } from '../stores/store.js'
import { normalizeCookies } from './cookies.js'
import { guard, storeUnavailable } from './guard.js'
import { checkInput, checkString } from './input.js'
import { sessionKeys } from './keys.js'
import { attachSessionLink, type SessionLink } from './link.js'
import type { IssuedSession, LogoutResult, SessionInput, Sessions, SessionsOptions } from './options.js'
import {
  hashSecret,
  isSessionId,
  newSecret,
  newSessionId,
  openNext,
  parseRecord,
  parseRefreshToken,
  REMEMBERED_SECRETS,
  refreshTokenOf,
  type SessionRecord,
  sealNext,
} from './record.js'
import { SESSION_TOKEN_TYPE } from './session-keys.js'
import { sessionKey, subjectIndex } from './subjects.js'

const MAX_COOKIE = 4096
// An ended session's record stays this long past its end (at most `refreshTtl`), so a late refresh
// reads `token_expired` rather than an unknown session's `revoked`.
const ENDED_KEPT = 86_400
// A lost compare-and-swap means another refresh won: one more look settles it.
const ROTATE_ATTEMPTS = 3

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
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createSessions() needs an options object')
  const issuer = checkString(options.issuer, 'issuer')
  const audience = checkString(options.audience, 'audience')
  const keys = sessionKeys(options)
  const accessTtl = toSeconds(options.accessTtl ?? '5m', 'accessTtl')
  const refreshTtl = toSeconds(options.refreshTtl ?? '30d', 'refreshTtl')
  if (accessTtl < 1) throw new TypeError('"accessTtl" must be at least 1 second')
  if (refreshTtl < accessTtl) throw new TypeError('"refreshTtl" must be at least "accessTtl"')
  const grace = toSeconds(options.refreshGrace ?? '10s', 'refreshGrace') * 1000
  const refreshBefore = toSeconds(options.refreshBefore ?? 0, 'refreshBefore') * 1000
  if (refreshBefore >= accessTtl * 1000)
    throw new TypeError('"refreshBefore" must be shorter than "accessTtl", or every request would refresh')
  const clockTolerance = toSeconds(options.clockTolerance ?? '5s', 'clockTolerance')
  const rotateRefresh = options.rotateRefresh ?? true
  if (typeof rotateRefresh !== 'boolean') throw new TypeError('"rotateRefresh" must be a boolean')
  // Requests already in flight with the old cookies would present a rotated-out token: reuse.
  if (refreshBefore > 0 && rotateRefresh && grace <= 0)
    throw new TypeError('"refreshBefore" needs "refreshGrace" above 0 while "rotateRefresh" is on')
  const onStoreError = options.onStoreError ?? 'reject'
  if (onStoreError !== 'reject' && onStoreError !== 'allow')
    throw new TypeError('"onStoreError" must be "reject" or "allow"')
  const maxPerSubject = options.maxSessionsPerSubject ?? 100
  if (!Number.isInteger(maxPerSubject) || maxPerSubject < 1)
    throw new TypeError('"maxSessionsPerSubject" must be a positive integer')
  const now = options.now ?? Date.now
  if (typeof now !== 'function') throw new TypeError('"now" must be a function returning milliseconds')
  // The default store keeps time by the sessions' clock, so expiry and the grace window agree with it.
  const store: Store = options.store ?? memoryStore({ now })
  for (const method of ['get', 'set', 'delete', 'compareAndSwap'] as const)
    if (typeof store?.[method] !== 'function')
      throw new TypeError(`"store" must implement get, set, delete and compareAndSwap (missing ${method})`)
  const cookies = normalizeCookies(options.cookie)
  const clearCookies = [cookies.clear(cookies.name), cookies.clear(cookies.refreshName)]
  const subjects = subjectIndex(store, now, maxPerSubject)
  const endedKept = Math.min(refreshTtl, ENDED_KEPT) * 1000
  /** The store TTL of a record written at `at`, in milliseconds: its remaining life, then the ended tail. */
  const recordTtl = (record: Pick<SessionRecord, 'exp'>, at: number) => Math.ceil(record.exp - at + endedKept)

  async function tokensFor(
    sessionId: string,
    record: SessionRecord,
    secret: string,
    at: number,
  ): Promise<IssuedSession> {
    const expiresAt = Math.min(at + accessTtl * 1000, record.exp)
    const payload: JWTPayload = {
      ...record.claims,
      iss: issuer,
      sub: record.sub,
      aud: audience,
      sid: sessionId,
      iat: Math.floor(at / 1000),
      exp: Math.floor(expiresAt / 1000),
      ...(record.scope === undefined ? {} : { scope: record.scope }),
      ...(record.roles === undefined ? {} : { roles: [...record.roles] }),
    }
    const accessToken = await keys.issue(payload)
    const refreshToken = refreshTokenOf(sessionId, secret)
    return {
      sessionId,
      accessToken,
      refreshToken,
      setCookie: [
        cookies.set(cookies.name, accessToken, (expiresAt - at) / 1000),
        cookies.set(cookies.refreshName, refreshToken, (record.exp - at) / 1000),
      ],
      expiresAt: new Date(Math.floor(expiresAt / 1000) * 1000),
      refreshExpiresAt: new Date(record.exp),
    }
  }

  async function issue(input: SessionInput): Promise<IssuedSession> {
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

  async function rotate(token: string): Promise<IssuedSession>
  async function rotate(
    token: string,
    currentExpiresAt: number | undefined,
  ): Promise<IssuedSession | undefined>
  async function rotate(token: string, currentExpiresAt?: number): Promise<IssuedSession | undefined> {
    const { sessionId, secret } = parseRefreshToken(token)
    const hash = await hashSecret(secret)
    const key = sessionKey(sessionId)
    for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
      const read = await guard(() => readWithTtl(key))
      const raw = read?.value
      const record = raw === undefined ? undefined : parseRecord(raw)
      if (raw === undefined || !record) throw new AuthError('revoked', 'session has ended or was revoked')
      const at = now()
      // A proactive refresh that would not outlive the current access token is not worth a rotation.
      if (currentExpiresAt !== undefined && record.exp - currentExpiresAt < 1000) return undefined
      // Under a second left, the cookies would go out with Max-Age=0: the session is over.
      if (record.exp - at < 1000) throw new AuthError('token_expired', 'session has expired')
      const ttlMs = recordTtl(record, at)
      const ttl = ttlMs / 1000
      if (hash === record.rt) {
        if (!rotateRefresh) return tokensFor(sessionId, record, secret, at)
        const next = newSecret()
        // Both at once: each WebCrypto call is a trip to the thread pool.
        const [nextHash, sealedNext] = await Promise.all([hashSecret(next), sealNext(secret, next)])
        const rotated: SessionRecord = {
          ...record,
          rt: nextHash,
          old: [record.rt, ...record.old].slice(0, REMEMBERED_SECRETS),
          rotatedAt: at,
          ttl: ttlMs,
          next: sealedNext,
        }
        if (await guard(() => store.compareAndSwap(key, raw, JSON.stringify(rotated), ttl))) {
          // Rewrite the subject's index after its session: revokeSubject must outlive the record.
          await subjects.add(record.sub, sessionId, record.exp)
          return tokensFor(sessionId, rotated, next, at)
        }
        continue // Someone else rotated first: look again, this is now the previous token.
      }
      if (hash === record.old[0] && sinceRotation(record, read!, at) < grace && record.next !== undefined) {
        // Two tabs refreshing at once: the later one gets the same new refresh token.
        const current = await openNext(secret, record.next)
        if (current !== undefined && (await hashSecret(current)) === record.rt)
          return tokensFor(sessionId, record, current, at)
      }
      if (record.old.includes(hash)) {
        // A rotated-out token came back: whoever holds the current one may be a thief. End the family.
        await guard(() => store.delete(key))
        throw new AuthError('refresh_reused', 'refresh token was already used; the session is revoked')
      }
      throw new AuthError('revoked', 'refresh token is not valid for this session')
    }
    throw new AuthError('store_unavailable', 'session changed too often while refreshing; try again')
  }

  /** A read that also tells how long the value has been in the store, when the store can say. */
  async function readWithTtl(key: string): Promise<{ value: string; ttl: number } | undefined> {
    if (store.getWithTtl) return store.getWithTtl(key)
    const value = await store.get(key)
    return value === undefined ? undefined : { value, ttl: Number.NaN }
  }

  /**
   * How long ago the last rotation was committed, by the store's clock when it can tell: a rotation
   * that a paused store ran late (its instance had long given up with a 503) still gives the user's
   * retry its grace window (issue 15). Otherwise by the instance's clock, from when it was prepared.
   */
  function sinceRotation(record: SessionRecord, read: { ttl: number }, at: number): number {
    if (record.ttl !== undefined && Number.isFinite(read.ttl))
      return Math.max(0, record.ttl - read.ttl * 1000)
    return at - record.rotatedAt
  }

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

  const sessions: Sessions = {
    issue,
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
    logout,
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
