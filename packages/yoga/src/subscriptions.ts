import { AuthError } from '@portcullis/core'
import type { ExecutionResult } from 'graphql'
import { toGraphQLError } from './errors.js'

/** How a subscription stays authorized while it runs. */
export interface StreamGuard {
  /** When the token expires; the stream ends then. */
  readonly expiresAt: Date | undefined
  /** The clock, in milliseconds. */
  readonly now: () => number
  /** Re-verifies the credentials (cached, with the revocation check) before each event. */
  readonly recheck: () => Promise<AuthError | undefined>
}

// setTimeout fires at once for delays above 2^31 - 1 ms, so long waits are taken in steps.
const MAX_DELAY = 2 ** 31 - 1
const EXPIRED = Symbol('expired')

/**
 * Wraps a subscription's event stream so it ends, with one final `UNAUTHENTICATED` error, when the
 * token expires or when re-verification fails before an event (a revoked session, say).
 */
export function guardStream(
  source: AsyncIterable<ExecutionResult>,
  guard: StreamGuard,
): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]()
  let timer: ReturnType<typeof setTimeout> | undefined
  let done = false
  const expiry = new Promise<typeof EXPIRED>((resolve) => {
    if (!guard.expiresAt) return
    const at = guard.expiresAt.getTime()
    const arm = () => {
      const delay = at - guard.now()
      if (delay <= 0) return resolve(EXPIRED)
      timer = setTimeout(arm, Math.min(delay, MAX_DELAY))
      timer.unref?.()
    }
    arm()
  })

  const finish = async (): Promise<void> => {
    if (done) return
    done = true
    clearTimeout(timer)
    await iterator.return?.()
  }
  const last = (error: AuthError): IteratorResult<ExecutionResult> => {
    void finish()
    return { done: false, value: { errors: [toGraphQLError(error, { http: false })] } }
  }

  return {
    async next() {
      if (done) return { done: true, value: undefined }
      const next = await Promise.race([iterator.next(), expiry])
      if (done) return { done: true, value: undefined }
      if (next === EXPIRED) return last(new AuthError('token_expired', 'token has expired'))
      if (next.done) {
        await finish()
        return next
      }
      const error = await guard.recheck()
      return error ? last(error) : next
    },
    async return() {
      await finish()
      return { done: true, value: undefined }
    },
    async throw(error: unknown) {
      await finish()
      throw error
    },
    [Symbol.asyncIterator]() {
      return this
    },
  }
}
