import { AuthError } from '../errors.js'
import type { Store } from '../stores/store.js'
import { guard } from './guard.js'

/** Where a session lives in the store. */
export const sessionKey = (sessionId: string): string => `s:${sessionId}`
const subjectKey = (subject: string) => `u:${subject}`

const MAX_ATTEMPTS = 50

// Many sign-ins of one subject at once contend for its index: spread the retries out a little.
const backoff = (attempt: number) =>
  new Promise<void>((done) => setTimeout(done, Math.random() * Math.min(attempt + 1, 10)))

type SubjectIndex = Array<[sessionId: string, expiresAt: number]>

function parseIndex(raw: string | undefined): SubjectIndex {
  if (raw === undefined) return []
  try {
    const list = JSON.parse(raw) as unknown
    return Array.isArray(list)
      ? list.filter(
          (entry): entry is [string, number] =>
            Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number',
        )
      : []
  } catch {
    return []
  }
}

const busy = () => new AuthError('store_unavailable', 'session store is too busy for this subject; try again')

/**
 * The sessions of each subject, under `u:<subject>` as `[sessionId, expiresAt]` pairs, so that
 * `revokeSubject` can find them. Updated by compare-and-swap; expired entries drop out on the next write.
 */
export function subjectIndex(store: Store, now: () => number, maxPerSubject: number) {
  return {
    /** Lists a new session, ending the oldest live ones past `maxPerSubject`. */
    async add(subject: string, sessionId: string, expiresAt: number): Promise<void> {
      const key = subjectKey(subject)
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const raw = await guard(() => store.get(key))
        const at = now()
        let list = parseIndex(raw).filter(([, end]) => end > at)
        list.push([sessionId, expiresAt])
        if (list.length > maxPerSubject) {
          // Sessions revoked one by one stay listed until they expire: drop those before ending live ones.
          const found = await Promise.all(list.map(([id]) => guard(() => store.get(sessionKey(id)))))
          list = list.filter((_, index) => found[index] !== undefined)
        }
        const ended = list.length > maxPerSubject ? list.splice(0, list.length - maxPerSubject) : []
        const ttl = (Math.max(...list.map(([, end]) => end)) - at) / 1000
        if (await guard(() => store.compareAndSwap(key, raw, JSON.stringify(list), ttl))) {
          await Promise.all(ended.map(([id]) => guard(() => store.delete(sessionKey(id)))))
          return
        }
        await backoff(attempt)
      }
      throw busy()
    },

    /** Ends every listed session of `subject`. */
    async revokeAll(subject: string): Promise<void> {
      const key = subjectKey(subject)
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const raw = await guard(() => store.get(key))
        if (raw === undefined) return
        await Promise.all(parseIndex(raw).map(([id]) => guard(() => store.delete(sessionKey(id)))))
        // Drop the index only if no session was added meanwhile; otherwise go round and end that one too.
        if (await guard(() => store.compareAndSwap(key, raw, undefined, 0))) return
        await backoff(attempt)
      }
      throw busy()
    },
  }
}
