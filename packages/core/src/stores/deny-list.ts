import type { Identity } from '../identity.js'
import type { Store } from './store.js'

/**
 * Options of {@link denyList}.
 *
 * @example
 * denyList({ store: redisStore(redis), prefix: 'api:deny:' })
 */
export interface DenyListOptions {
  /**
   * Where entries live. Share one (`redisStore`) between instances so a revocation reaches them
   * all; a `memoryStore` serves one process, and forgets an entry it evicts past its `max`.
   */
  store: Store
  /** Prefix of every key written, beside sessions in the same store. @default 'deny:' */
  prefix?: string
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number
}

/**
 * What {@link DenyList.revoke} refuses: one token by its `jti`, every token of a `sub`, or both,
 * until `until`.
 *
 * @example
 * await deny.revoke({ jti: identity.payload.jti, until: identity.expiresAt! })
 */
export interface DenyListEntry {
  /** A token's `jti`: that token is refused. */
  jti?: string | undefined
  /** A subject: every token naming it as `sub`, at every issuer, is refused. */
  sub?: string | undefined
  /**
   * When the entry expires: the token's `exp` (`identity.expiresAt`) for a `jti`; for a `sub`, the
   * latest `exp` of the tokens it holds (after it, the subject's new tokens pass again).
   */
  until: Date
}

/**
 * A deny list in a {@link Store}: `revoke` writes entries, `revoked` is the `createAuth` hook that
 * reads them on every request (by `jti`, then by `sub`).
 *
 * @example
 * const deny = denyList({ store: redisStore(redis) })
 * const auth = createAuth({ issuer, audience, jwks, revoked: deny.revoked })
 * await deny.revoke({ sub: 'alice', until: new Date(Date.now() + 3_600_000) })
 */
export interface DenyList {
  /** Refuses a token (`jti`) or a subject (`sub`) until `until`; a time already past writes nothing. */
  revoke(revocation: DenyListEntry): Promise<void>
  /** True when the identity's `jti` or `sub` is denied: the `revoked` option of `createAuth`. */
  readonly revoked: (identity: Identity<unknown>) => Promise<boolean>
}

const present = (value: unknown): value is string => typeof value === 'string' && value !== ''

/**
 * Creates a deny list over a store. Keys are `<prefix>jti:<jti>` and `<prefix>sub:<sub>`, so a
 * `jti` and a `sub` with the same text never meet. A store that cannot answer makes `revoked`
 * reject, which `createAuth` turns into a 503 `revocation_unavailable`: fail closed.
 *
 * @example
 * const deny = denyList({ store: memoryStore() })
 * await deny.revoke({ jti: 'token-1', until: new Date(Date.now() + 60_000) })
 * await deny.revoked(identity) // true when identity.payload.jti is 'token-1'
 */
export function denyList(options: DenyListOptions): DenyList {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('denyList() needs an options object such as { store }')
  const { store } = options
  if (typeof store?.get !== 'function' || typeof store.set !== 'function')
    throw new TypeError('"store" must be a Store such as memoryStore() or redisStore(client)')
  const prefix = options.prefix ?? 'deny:'
  if (typeof prefix !== 'string') throw new TypeError('"prefix" must be a string')
  const now = options.now ?? Date.now
  const jtiKey = (jti: string) => `${prefix}jti:${jti}`
  const subKey = (sub: string) => `${prefix}sub:${sub}`

  return {
    async revoke(revocation) {
      const { jti, sub, until } = revocation ?? ({} as DenyListEntry)
      if (jti !== undefined && !present(jti)) throw new TypeError('"jti" must be a non-empty string')
      if (sub !== undefined && !present(sub)) throw new TypeError('"sub" must be a non-empty string')
      if (jti === undefined && sub === undefined) throw new TypeError('revoke() needs a "jti" or a "sub"')
      if (!(until instanceof Date) || Number.isNaN(until.getTime()))
        throw new TypeError('"until" must be a valid Date (the token\'s exp: identity.expiresAt)')
      const ttl = Math.ceil((until.getTime() - now()) / 1000)
      if (ttl <= 0) return
      await Promise.all([
        jti === undefined ? undefined : store.set(jtiKey(jti), '1', ttl),
        sub === undefined ? undefined : store.set(subKey(sub), '1', ttl),
      ])
    },
    revoked: async (identity) => {
      const jti = identity.payload.jti
      const [byJti, bySub] = await Promise.all([
        present(jti) ? store.get(jtiKey(jti)) : undefined,
        store.get(subKey(identity.subject)),
      ])
      return byJti !== undefined || bySub !== undefined
    },
  }
}
