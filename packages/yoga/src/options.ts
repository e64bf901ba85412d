import { type Auth, type DefaultClaims, type Duration, type RequestLike, toSeconds } from '@portcullis/core'

/**
 * Options of `useAuth`.
 *
 * @example
 * const options: UseAuthOptions = { auth, protectAll: true, onDeny: 'null' }
 */
export interface UseAuthOptions<Claims = DefaultClaims> {
  /** The verifier made by `createAuth`; its claims type becomes `context.identity.claims`. */
  auth: Auth<Claims>
  /**
   * Every field needs an identity unless it or its type is marked `@public` (or
   * `extensions.auth.public`). Introspection (`__schema`, `__type`) then needs one too.
   * @default false
   */
  protectAll?: boolean
  /**
   * `'reject'`: an operation selecting a denied field does not execute; every denied path is
   * reported. `'null'`: denied fields resolve to `null` with an error at their path.
   * @default 'reject'
   */
  onDeny?: 'reject' | 'null'
  /**
   * What a request whose token is present but invalid gets: `'reject'` answers 401 before anything
   * executes; `'anonymous'` carries on with `identity: null` (never for a 400 or a 503).
   * @default 'reject'
   */
  invalidToken?: 'reject' | 'anonymous'
  /**
   * Where the credentials of a context are: by default `connectionParams` (graphql-ws; as headers
   * under the upgrade request's own, which they never replace), then `req`
   * when it is a Node request that repeats a header name (Yoga behind `node:http`, Express...: its
   * raw header lines, since the Fetch `request` Yoga rebuilds from `req.headers` has lost every
   * repeated `Authorization` line but the first), then `request` (Yoga, Fetch), then `req`, then
   * `extra.request`. A custom one is called once the context is built (it may read what a `context`
   * factory adds): on Yoga that costs an `onContextBuilding` hook, which the default avoids by
   * reading Yoga's `request` in `onParams`.
   */
  request?: (context: Readonly<Record<string, unknown>>) => RequestLike | undefined
  /**
   * How often a subscription that sends no events verifies its credentials again, so a revoked
   * session ends an idle stream too: seconds as a number, or a string like `'30s'`, `'5m'`. Every
   * event is preceded by a check anyway.
   * @default '30s'
   */
  subscriptionRecheck?: Duration
  /** The clock, in milliseconds, used to end subscriptions at token expiry. @default the clock of `auth` (its `now` option) */
  now?: () => number
}

/** {@link UseAuthOptions} with defaults applied. */
export interface NormalizedOptions<Claims> {
  readonly auth: Auth<Claims>
  readonly protectAll: boolean
  readonly onDeny: 'reject' | 'null'
  readonly invalidToken: 'reject' | 'anonymous'
  readonly request: (context: Readonly<Record<string, unknown>>) => RequestLike | undefined
  /** In milliseconds. */
  readonly subscriptionRecheck: number
  readonly now: () => number
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

/**
 * Whether `value` is a Node `IncomingMessage` (or HTTP/2 request) one of whose header names came on
 * more than one line. Node then merged or dropped lines in `req.headers` (every `Authorization` but
 * the first), and only `rawHeaders` still holds them. Without repeats (fewer raw lines than twice the
 * header count is impossible), Yoga's Fetch `request` holds exactly what was sent, and reading it
 * stays as cheap.
 *
 * @example
 * const credentials = repeatsHeaders(context.req) ? context.req : context.request
 */
export const repeatsHeaders = (value: unknown): value is RequestLike => {
  if (!isObject(value) || !Array.isArray(value.rawHeaders)) return false
  const headers = value.headers
  // `Object.keys` (a small array): a `for...in` count with `Object.hasOwn` was tried and showed no
  // gain that callgrind could resolve (bench/analysis-cached.md), so the simpler form stays.
  return !isObject(headers) || value.rawHeaders.length !== Object.keys(headers).length * 2
}
/** Every header line of a Node request, by lower-case name: `rawHeaders`, else the `headers` record. */
function ownHeaders(request: Record<string, unknown>): Map<string, string[]> {
  const lines = new Map<string, string[]>()
  const add = (name: string, value: unknown) => {
    if (typeof value !== 'string') return
    const key = name.toLowerCase()
    lines.set(key, [...(lines.get(key) ?? []), value])
  }
  if (Array.isArray(request.rawHeaders)) {
    const raw = request.rawHeaders as unknown[]
    for (let i = 0; i + 1 < raw.length; i += 2)
      if (typeof raw[i] === 'string') add(raw[i] as string, raw[i + 1])
  } else if (isObject(request.headers) && typeof request.headers.get !== 'function') {
    for (const [name, value] of Object.entries(request.headers))
      for (const item of Array.isArray(value) ? value : [value]) add(name, item)
  }
  return lines
}

/**
 * graphql-ws `connectionParams` as headers, under the upgrade request's own: a header name the
 * request carries (its cookies, its `Authorization`) is never replaced by a connection param, which
 * only fills in what the request lacks.
 */
function underOwn(params: Record<string, unknown>, own: unknown): RequestLike {
  const merged: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(params))
    if (typeof value === 'string') {
      const key = name.toLowerCase()
      const previous = merged[key]
      merged[key] = previous === undefined ? value : [...[previous].flat(), value]
    }
  if (isObject(own)) for (const [name, values] of ownHeaders(own)) merged[name] = values
  return merged
}

/** The default credential lookup: graphql-ws `connectionParams`, then the HTTP request. */
export function defaultRequest(context: Readonly<Record<string, unknown>>): RequestLike | undefined {
  const params = context.connectionParams
  if (isObject(params) && Object.keys(params).length > 0)
    return underOwn(params, context.req ?? (isObject(context.extra) ? context.extra.request : undefined))
  // Node keeps only the first Authorization in `req.headers`, from which Yoga builds `request`: the
  // raw lines are what lets core see two of them (`token_ambiguous`) instead of the first one.
  if (repeatsHeaders(context.req)) return context.req
  // Checked one by one, not through an array: this runs on every operation.
  if (isObject(context.request)) return context.request as RequestLike
  if (isObject(context.req)) return context.req as RequestLike
  const { extra } = context
  return isObject(extra) && isObject(extra.request) ? (extra.request as RequestLike) : undefined
}

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback
  if (!allowed.includes(value as T))
    throw new TypeError(`"${name}" must be ${allowed.map((item) => `'${item}'`).join(' or ')}`)
  return value as T
}

/** Checks the options once, at plugin construction; a mistake throws a `TypeError` naming the option. */
export function normalizeOptions<Claims>(input: UseAuthOptions<Claims>): NormalizedOptions<Claims> {
  if (!isObject(input)) throw new TypeError('useAuth needs options: { auth }')
  const { auth } = input
  if (!isObject(auth) || typeof auth.authenticate !== 'function')
    throw new TypeError('"auth" must be the result of createAuth()')
  if (input.protectAll !== undefined && typeof input.protectAll !== 'boolean')
    throw new TypeError('"protectAll" must be a boolean')
  if (input.request !== undefined && typeof input.request !== 'function')
    throw new TypeError('"request" must be a function')
  const recheck = toSeconds(input.subscriptionRecheck ?? '30s', 'subscriptionRecheck') * 1000
  if (recheck <= 0) throw new TypeError('"subscriptionRecheck" must be longer than 0')
  if (input.now !== undefined && typeof input.now !== 'function')
    throw new TypeError('"now" must be a function')
  return {
    auth,
    protectAll: input.protectAll ?? false,
    onDeny: oneOf(input.onDeny, 'onDeny', ['reject', 'null'], 'reject'),
    invalidToken: oneOf(input.invalidToken, 'invalidToken', ['reject', 'anonymous'], 'reject'),
    request: input.request ?? defaultRequest,
    subscriptionRecheck: recheck,
    now: input.now ?? auth.now ?? Date.now,
  }
}
