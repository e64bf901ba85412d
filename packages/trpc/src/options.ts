import { type Duration, type Identity, type RequestLike, toSeconds } from '@portcullis/core'

/**
 * What every tRPC adapter passes to `createContext`, as far as authentication needs it: the fetch
 * adapter gives `req` and `resHeaders`; the standalone, Express, Next.js and WebSocket adapters give
 * `req` and `res`; subscriptions add `info.connectionParams`.
 *
 * @example
 * // a server-side caller, e.g. in a Next.js Server Component
 * const ctx = await createContext({ req: await headers() })
 */
export interface AuthContextOptions {
  /** The request: a Fetch `Request` or a Node `IncomingMessage` (the upgrade request for WebSockets). */
  req?: RequestLike
  /** The Node response (standalone, Express, Next.js), or the socket (WebSocket adapter). */
  res?: unknown
  /** The response headers (fetch adapter). */
  resHeaders?: Headers
  /**
   * tRPC's request info; `connectionParams` come from `wsLink` and `httpSubscriptionLink`, and are
   * read on WebSocket connections and SSE subscriptions only (`type: 'subscription'`).
   */
  info?: {
    readonly connectionParams?: Readonly<Record<string, string | undefined>> | null
    readonly type?: string
  }
}

/**
 * Options of `createAuthContext`.
 *
 * @example
 * createAuthContext(auth, { invalidToken: 'anonymous', recheckInterval: '30s' })
 */
export interface CreateAuthContextOptions<TOpts, TExtra, Claims> {
  /**
   * Your own context factory, kept instead of replaced: it gets the adapter's options plus the
   * verified `identity`, and what it returns is merged into the context (and its type).
   * @example
   * createAuthContext(auth, { context: ({ identity }) => ({ db, userId: identity?.subject }) })
   */
  context?: (opts: TOpts & { identity: Identity<Claims> | null }) => TExtra | Promise<TExtra>
  /**
   * What an invalid or expired token means. `'reject'` answers `UNAUTHORIZED` to every procedure,
   * public ones included; `'anonymous'` treats the request as if it carried no token. A malformed
   * request (400) and an unavailable key set or store (503) are never anonymous.
   * @default 'reject'
   */
  invalidToken?: 'reject' | 'anonymous'
  /**
   * Turns `connectionParams` into headers for `authenticate`. They are read only on a WebSocket
   * connection or an SSE subscription, and only when the request itself carries no credential
   * (its cookies or `Authorization` always win); on a plain query or mutation they are ignored.
   * Return `undefined` to treat the connection as anonymous.
   * @default `{ token }` becomes `Authorization: Bearer <token>`; `{ authorization }` is used as is
   */
  connectionParams?: (params: Readonly<Record<string, string | undefined>>) => RequestLike | undefined
  /**
   * How often a subscription that sends no events re-checks its credentials with `auth.authenticate`
   * (a cache hit plus whatever revocation check the issuer has), ending with `UNAUTHORIZED` once they
   * fail. Every event is preceded by a check anyway, and token expiry ends a subscription on time.
   * `false` turns the periodic re-checks off.
   * @default '1m'
   */
  recheckInterval?: Duration | false
  /** The clock in milliseconds, for tests. @default the clock of `auth` (its `now` option) */
  now?: () => number
}

/** {@link CreateAuthContextOptions} after validation. */
export interface NormalizedContextOptions {
  readonly invalidToken: 'reject' | 'anonymous'
  readonly connectionParams: (params: Readonly<Record<string, string | undefined>>) => RequestLike | undefined
  readonly recheckInterval: number | false
  readonly now: () => number
}

/** setInterval fires at once past 2^31-1 ms (about 24.8 days): longer intervals are capped there. */
const MAX_INTERVAL = 2_147_483_647

function toInterval(value: Duration): number {
  const ms = toSeconds(value, 'recheckInterval') * 1000
  if (ms <= 0) throw new TypeError('"recheckInterval" must be a positive duration, or false')
  return Math.min(ms, MAX_INTERVAL)
}

/**
 * The default `connectionParams` mapping: `{ authorization }` as is, or `{ token }` as a bearer token.
 *
 * @example
 * defaultConnectionParams({ token: 'eyJ...' }) // { authorization: 'Bearer eyJ...' }
 */
export function defaultConnectionParams(
  params: Readonly<Record<string, string | undefined>>,
): RequestLike | undefined {
  if (typeof params.authorization === 'string') return { authorization: params.authorization }
  if (typeof params.token === 'string') return { authorization: `Bearer ${params.token}` }
  return undefined
}

/** Checks the options once, naming the option in every message. */
export function normalizeContextOptions(
  input: CreateAuthContextOptions<never, unknown, unknown>,
  authNow: (() => number) | undefined,
): NormalizedContextOptions {
  const invalidToken = input.invalidToken ?? 'reject'
  if (invalidToken !== 'reject' && invalidToken !== 'anonymous')
    throw new TypeError(`"invalidToken" must be 'reject' or 'anonymous'`)
  for (const name of ['context', 'connectionParams', 'now'] as const)
    if (input[name] !== undefined && typeof input[name] !== 'function')
      throw new TypeError(`"${name}" must be a function`)
  const recheck = input.recheckInterval ?? '1m'
  return {
    invalidToken,
    connectionParams: input.connectionParams ?? defaultConnectionParams,
    recheckInterval: recheck === false ? false : toInterval(recheck),
    now: input.now ?? authNow ?? Date.now,
  }
}
