import { type AuthError, createAuth, createSessions, memoryStore, type Store } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { withCookies } from '../support/sessions.js'

// Review: a store failure became a 503 whose `cause` kept the store error's message (its first 200
// characters), although a store error may quote the command it failed on: the session's key and the
// record (its claims, its refresh hashes, the sealed next secret). The cause now carries the error's
// kind and system code only, never its text.
const secret = 'a-session-secret-of-at-least-32-bytes'
const issuer = 'https://api.example.com'

/** A store whose every failure quotes its arguments, as a careless client library's errors do. */
function quotingStore(): Store & { failing: boolean } {
  const inner = memoryStore()
  const fail = (...args: unknown[]) => {
    const error = new Error(`command failed: ${args.map(String).join(' ')}`) as Error & { code: string }
    error.code = 'ECONNRESET'
    throw error
  }
  const store = {
    failing: false,
    get: async (key: string) => (store.failing ? fail('GET', key) : inner.get(key)),
    set: async (key: string, value: string, ttl: number) =>
      store.failing ? fail('SET', key, value, ttl) : inner.set(key, value, ttl),
    delete: async (key: string) => (store.failing ? fail('DEL', key) : inner.delete(key)),
    compareAndSwap: async (
      key: string,
      expected: string | undefined,
      value: string | undefined,
      ttl: number,
    ) =>
      store.failing
        ? fail('CAS', key, expected, value, ttl)
        : inner.compareAndSwap(key, expected, value, ttl),
  }
  return store
}

/** An error's message, stack and cause chain, as text. */
function allText(error: unknown): string {
  let text = ''
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
    text += `${String(current)} ${(current as Error).stack ?? ''} ${JSON.stringify(current)}\n`
    current = (current as { cause?: unknown }).cause
  }
  return text
}

describe('review: a store error that quotes its command', () => {
  it('keeps the session key and the record out of the 503 and its cause', async () => {
    const store = quotingStore()
    const sessions = createSessions({ secret, issuer, audience: issuer, store })
    const auth = createAuth({ sessions })
    const issued = await sessions.issue({ subject: 'alice', claims: { email: 'alice-marker@example.com' } })
    const sessionId = issued.refreshToken.split('.')[0]!
    store.failing = true

    const result = await auth.authenticate(withCookies(issued.setCookie))
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'store_unavailable', status: 503 } })
    const read = (result as { error: AuthError }).error
    const refresh = await sessions.refresh(issued.refreshToken).catch((error: unknown) => error)
    expect(refresh).toMatchObject({ code: 'store_unavailable', status: 503 })
    const failedIssue = await sessions
      .issue({ subject: 'carol', claims: { email: 'carol-marker@example.com' } })
      .catch((error: unknown) => error)
    expect(failedIssue).toMatchObject({ code: 'store_unavailable', status: 503 })

    for (const error of [read, refresh, failedIssue]) {
      const text = allText(error)
      expect(text).not.toContain(sessionId)
      expect(text).not.toContain('marker@example.com')
      expect(text).not.toContain('command failed')
      // What an operator needs still travels: the kind of error and its system code.
      expect(String((error as Error).cause)).toContain('ECONNRESET')
    }
  })
})
