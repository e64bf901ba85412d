import { toSeconds } from '../internal/duration.js'
import { memoryStore } from '../stores/memory.js'
import type { Store } from '../stores/store.js'
import { type NormalizedCookies, normalizeCookies } from './cookies.js'
import { checkString } from './input.js'
import { sessionKeys } from './keys.js'
import type { SessionsOptions } from './options.js'
import type { SessionRecord } from './record.js'
import type { SessionKeys } from './session-keys.js'
import { subjectIndex } from './subjects.js'

/** Browsers silently drop a cookie past 4096 bytes. */
export const MAX_COOKIE = 4096
// An ended session's record stays this long past its end (at most `refreshTtl`), so a late refresh
// reads `token_expired` rather than an unknown session's `revoked`.
const ENDED_KEPT = 86_400

/** `createSessions` options, checked, with the parts built from them: keys, store, cookies, subject index. */
export interface SessionSettings {
  readonly issuer: string
  readonly audience: string
  readonly keys: SessionKeys
  /** In seconds. */
  readonly accessTtl: number
  /** In seconds. */
  readonly refreshTtl: number
  /** `refreshGrace`, in milliseconds. */
  readonly grace: number
  /** `refreshBefore`, in milliseconds. */
  readonly refreshBefore: number
  /** In seconds. */
  readonly clockTolerance: number
  readonly rotateRefresh: boolean
  readonly onStoreError: 'reject' | 'allow'
  readonly now: () => number
  readonly store: Store
  readonly cookies: NormalizedCookies
  /** The `Set-Cookie` values that clear both cookies. */
  readonly clearCookies: readonly string[]
  readonly subjects: ReturnType<typeof subjectIndex>
  /** The store TTL of a record written at `at`, in milliseconds: its remaining life, then the ended tail. */
  readonly recordTtl: (record: Pick<SessionRecord, 'exp'>, at: number) => number
}

/** Checks `createSessions` options once; every mistake is a `TypeError` naming the option. */
export function sessionSettings(options: SessionsOptions): SessionSettings {
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
  const endedKept = Math.min(refreshTtl, ENDED_KEPT) * 1000
  return {
    issuer,
    audience,
    keys,
    accessTtl,
    refreshTtl,
    grace,
    refreshBefore,
    clockTolerance,
    rotateRefresh,
    onStoreError,
    now,
    store,
    cookies,
    clearCookies: [cookies.clear(cookies.name), cookies.clear(cookies.refreshName)],
    subjects: subjectIndex(store, now, maxPerSubject),
    recordTtl: (record, at) => Math.ceil(record.exp - at + endedKept),
  }
}
