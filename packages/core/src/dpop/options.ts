import { type Duration, toSeconds } from '../internal/duration.js'
import type { RequestLike } from '../internal/headers.js'
import { type Algorithm, ASYMMETRIC_ALGORITHMS } from '../keys/key.js'
import { memoryStore } from '../stores/memory.js'
import type { Store } from '../stores/store.js'

/**
 * Stateless server nonces (RFC 9449 8): an HMAC of the current period, so every instance sharing
 * the secret issues and accepts the same nonces, with no store.
 *
 * @example
 * createAuth({ issuer, audience, jwks, dpop: { nonce: { secret: process.env.DPOP_NONCE_SECRET! } } })
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
 */
export interface DpopNonceOptions {
  /** The HMAC secret, at least 32 bytes; share it between the instances behind one URL. */
  secret: string
  /**
   * How long one nonce is issued; the previous period's nonce is still accepted, so a nonce lives
   * between one and two periods.
   * @default '5m'
   */
  rotation?: Duration
}

/**
 * DPoP (RFC 9449): sender-constrained access tokens. A token whose payload holds `cnf.jkt` is only
 * accepted as `Authorization: DPoP <token>` with one valid `DPoP` proof signed by that key.
 *
 * @example
 * createAuth({ issuer, audience, jwks, dpop: { required: true, publicUrl: 'https://api.example.com' } })
 * @see https://www.rfc-editor.org/rfc/rfc9449
 */
export interface DpopOptions {
  /** Reject every token that is not DPoP-bound (no `cnf.jkt`); the challenge then offers DPoP only. @default false */
  required?: boolean
  /**
   * Proof algorithms accepted (asymmetric only: never `HS*` or `none`).
   * @default ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519']
   */
  algorithms?: readonly Algorithm[]
  /** The oldest a proof may be, by its `iat`; a proof's `jti` is remembered this long (plus tolerance). @default '60s' */
  maxAge?: Duration
  /** Leeway for the proof's `iat`, both ways. @default '5s' */
  clockTolerance?: Duration
  /**
   * Where proof `jti`s are remembered, to refuse a replay. Give a shared store (`redisStore()`) when
   * several instances serve one URL, or a proof can be replayed on another instance.
   * @default memoryStore({ max: 100000 }) (this process only)
   */
  store?: Store
  /** Require a server nonce in every proof (RFC 9449 8). */
  nonce?: DpopNonceOptions
  /**
   * The public origin (and path prefix) clients call, e.g. `'https://api.example.com'`: the proof's
   * `htu` is compared with it plus the request's path. Set it behind a proxy or load balancer; without
   * it the URL is the request's own (a Fetch `Request.url`, or a Node request's `Host` header and path;
   * a `Host` that is no host[:port] gives no URL, and the proof is refused), and `X-Forwarded-*` headers
   * are never read. The `Host` header is the client's to write: set this in production.
   */
  publicUrl?: string
  /** The request's public URL, for setups `publicUrl` does not fit (the query is ignored). */
  url?: (request: RequestLike) => string | URL
}

/** {@link DpopOptions} after checking. */
export interface NormalizedDpop {
  readonly required: boolean
  readonly algorithms: readonly Algorithm[]
  readonly maxAge: number
  readonly clockTolerance: number
  readonly store: Store
  readonly nonce: { readonly secret: string; readonly rotation: number } | undefined
  readonly publicUrl: string | undefined
  readonly url: ((request: RequestLike) => string | URL) | undefined
}

const DEFAULT_ALGORITHMS: readonly Algorithm[] = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
  'EdDSA',
  'Ed25519',
]

/**
 * Checks the `dpop` option once, at construction; every mistake is a `TypeError` naming the field.
 *
 * @example
 * normalizeDpop({ required: true }).algorithms // ['ES256', ...]
 */
export function normalizeDpop(input: DpopOptions): NormalizedDpop {
  if (typeof input !== 'object' || input === null)
    throw new TypeError('"dpop" must be an object such as { required: true }')
  const required = input.required ?? false
  if (typeof required !== 'boolean') throw new TypeError('"dpop.required" must be a boolean')
  const algorithms = input.algorithms ?? DEFAULT_ALGORITHMS
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    throw new TypeError('"dpop.algorithms" must be a non-empty array')
  for (const alg of algorithms)
    if (!ASYMMETRIC_ALGORITHMS.includes(alg))
      throw new TypeError(
        `"dpop.algorithms" contains "${String(alg)}": proofs use asymmetric algorithms only`,
      )
  const maxAge = toSeconds(input.maxAge ?? 60, 'dpop.maxAge')
  if (maxAge <= 0) throw new TypeError('"dpop.maxAge" must be positive')
  const clockTolerance = toSeconds(input.clockTolerance ?? 5, 'dpop.clockTolerance')
  const store = input.store ?? memoryStore()
  if (typeof store?.compareAndSwap !== 'function')
    throw new TypeError('"dpop.store" must be a Store such as memoryStore() or redisStore(redis)')
  if (input.publicUrl !== undefined && input.url !== undefined)
    throw new TypeError('give either "dpop.publicUrl" or "dpop.url", not both')
  if (input.url !== undefined && typeof input.url !== 'function')
    throw new TypeError('"dpop.url" must be a function of the request')
  return {
    required,
    algorithms: Object.freeze([...new Set(algorithms)]),
    maxAge,
    clockTolerance,
    store,
    nonce: input.nonce === undefined ? undefined : normalizeNonce(input.nonce),
    publicUrl: input.publicUrl === undefined ? undefined : checkPublicUrl(input.publicUrl),
    url: input.url,
  }
}

function normalizeNonce(input: DpopNonceOptions): NormalizedDpop['nonce'] {
  if (typeof input !== 'object' || input === null)
    throw new TypeError('"dpop.nonce" must be an object such as { secret }')
  if (typeof input.secret !== 'string' || new TextEncoder().encode(input.secret).length < 32)
    throw new TypeError('"dpop.nonce.secret" must be a string of at least 32 bytes')
  const rotation = toSeconds(input.rotation ?? '5m', 'dpop.nonce.rotation')
  if (rotation < 1) throw new TypeError('"dpop.nonce.rotation" must be at least 1s')
  return { secret: input.secret, rotation }
}

function checkPublicUrl(value: unknown): string {
  if (typeof value !== 'string' || !URL.canParse(value))
    throw new TypeError('"dpop.publicUrl" must be an absolute URL such as "https://api.example.com"')
  const url = new URL(value)
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError('"dpop.publicUrl" must be an http or https URL')
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    throw new TypeError(
      '"dpop.publicUrl" must hold an origin and path only (no query, fragment or credentials)',
    )
  // The path prefix a proxy strips before forwarding, without its trailing slash.
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}
