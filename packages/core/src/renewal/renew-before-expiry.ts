/**
 * Options of {@link renewBeforeExpiry}.
 *
 * @example
 * renewBeforeExpiry({ getToken: () => idp.accessToken(), send: (token) => renew(token), lead: 30_000 })
 */
export interface RenewBeforeExpiryOptions {
  /** A fresh token: your app's refresh logic (an IdP call, a silent refresh). */
  getToken(): string | Promise<string>
  /** Hands the token to the open connection; rejects when the server refused it. */
  send(token: string): unknown
  /** How long before `exp` to renew, in milliseconds. @default 30_000 (capped at half the token's life) */
  lead?: number
  /** When a token expires (ms since the epoch). @default its `exp` claim, read without verifying */
  expiresAt?(token: string): number | undefined
  /** Called with each failed renewal (it is retried until the token expires). */
  onError?(error: unknown): void
  /** The clock in milliseconds, for tests. @default Date.now */
  now?(): number
}

/**
 * A running {@link renewBeforeExpiry} schedule.
 *
 * @example
 * const renewal: Renewal = renewBeforeExpiry(options).start(token)
 */
export interface Renewal {
  /** Schedules the renewals of `token` and each of its successors. */
  start(token: string): Renewal
  /** Cancels the next renewal. */
  stop(): void
}

/** The `exp` of a JWT in milliseconds, read (not verified: the server does that) only to schedule. */
function expOf(token: string): number | undefined {
  try {
    const part = token.split('.')[1]
    if (!part) return undefined
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'))
    const exp = (JSON.parse(json) as { exp?: unknown }).exp
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined
  } catch {
    return undefined
  }
}

// setTimeout fires at once past 2^31-1 ms.
const MAX_TIMER = 2_147_483_647

/**
 * A client-side schedule that sends a new token on an open connection before the current one
 * expires: `lead` ms before `exp` it asks `getToken` for a fresh token and hands it to `send`, then
 * schedules the next renewal from the new token. A failed renewal is reported to `onError` and
 * retried (every `lead / 4`, at least 100 ms) until the token expires; then it stops.
 *
 * @example
 * const renewal = renewBeforeExpiry({
 *   getToken: () => idp.accessToken(),
 *   send: (token) => wsTrpc.renewToken.mutate({ token }),
 * }).start(initialToken)
 * // later: renewal.stop()
 */
export function renewBeforeExpiry(options: RenewBeforeExpiryOptions): Renewal {
  if (typeof options?.getToken !== 'function') throw new TypeError('"getToken" must be a function')
  if (typeof options.send !== 'function') throw new TypeError('"send" must be a function')
  const lead = options.lead ?? 30_000
  if (!Number.isFinite(lead) || lead < 0) throw new TypeError('"lead" must be a non-negative number of ms')
  const now = options.now ?? Date.now
  const expiresAt = options.expiresAt ?? expOf
  let timer: ReturnType<typeof setTimeout> | undefined
  let generation = 0

  const schedule = (token: string, run: number) => {
    const exp = expiresAt(token)
    if (exp === undefined) return
    const left = exp - now()
    const wait = Math.max(0, left - Math.min(lead, left / 2))
    timer = setTimeout(() => renew(exp, run), Math.min(wait, MAX_TIMER))
  }
  const renew = async (exp: number, run: number) => {
    try {
      const token = await options.getToken()
      await options.send(token)
      if (run === generation) schedule(token, run)
    } catch (error) {
      options.onError?.(error)
      const retry = Math.max(100, lead / 4)
      if (run === generation && exp - now() > retry) timer = setTimeout(() => renew(exp, run), retry)
    }
  }
  const renewal: Renewal = {
    start(token) {
      renewal.stop()
      schedule(token, generation)
      return renewal
    },
    stop() {
      generation++
      clearTimeout(timer)
    },
  }
  return renewal
}
