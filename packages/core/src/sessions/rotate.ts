import { AuthError } from '../errors.js'
import { guard } from './guard.js'
import type { IssuedSession } from './options.js'
import {
  hashSecret,
  newSecret,
  openNext,
  parseRecord,
  parseRefreshToken,
  REMEMBERED_SECRETS,
  type SessionRecord,
  sealNext,
} from './record.js'
import type { SessionSettings } from './settings.js'
import { sessionKey } from './subjects.js'
import type { TokensFor } from './tokens.js'

// A lost compare-and-swap means another refresh won: one more look settles it.
const ROTATE_ATTEMPTS = 3

/**
 * Trades a refresh token for new tokens. With `currentExpiresAt` (a proactive refresh), undefined
 * when the new access token would not outlive the current one.
 */
export interface Rotate {
  (token: string): Promise<IssuedSession>
  (token: string, currentExpiresAt: number | undefined): Promise<IssuedSession | undefined>
}

/** The refresh of a session: rotation by compare-and-swap, the grace window, and reuse detection. */
export function createRotate(settings: SessionSettings, tokensFor: TokensFor): Rotate {
  const { store, now, grace, rotateRefresh, recordTtl, subjects } = settings

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

  return rotate
}
