import {
  type Auth,
  type Identity,
  type RenewalOutcome,
  type RequestLike,
  verifyRenewal,
} from '@portcullis/core'

/** A running stream's reaction to a renewal of its connection. */
export type OnRenew = (identity: Identity<unknown>, request: RequestLike) => void

/** What a renewal changed on a graphql-ws connection, and the running streams to tell. */
export interface Connection {
  /** The renewed credentials, which replace the connection params; undefined until a renewal. */
  request: RequestLike | undefined
  /** Who the connection is, as its first stream or its last renewal proved. */
  identity: Identity<unknown> | undefined
  /** Renewals asked for, and the latest applied: a slower, older one never undoes a newer one. */
  asked: number
  applied: number
  readonly streams: Set<OnRenew>
}

/**
 * graphql-ws connections, by their `ctx.extra` (one object per connection, which the recipe's
 * operation contexts carry): only sockets with a running stream or a renewal get an entry, never an
 * HTTP request.
 */
export interface Connections {
  get(extra: unknown): Connection | undefined
  of(extra: object): Connection
}

/** Makes the registry of one `useAuth` plugin. */
export function createConnections(): Connections {
  const entries = new WeakMap<object, Connection>()
  return {
    get: (extra) => (typeof extra === 'object' && extra !== null ? entries.get(extra) : undefined),
    of(extra) {
      let entry = entries.get(extra)
      if (!entry) {
        entry = { request: undefined, identity: undefined, asked: 0, applied: 0, streams: new Set() }
        entries.set(extra, entry)
      }
      return entry
    },
  }
}

/**
 * Verifies `credentials` for a connection whose identity is `current` (core's `verifyRenewal`) and,
 * when renewed and not overtaken by a newer renewal, makes them the connection's and tells its streams.
 */
export async function applyRenewal(
  auth: Pick<Auth<unknown>, 'authenticate'>,
  entry: Connection,
  current: Identity<unknown>,
  credentials: RequestLike,
): Promise<RenewalOutcome<unknown>> {
  const ticket = ++entry.asked
  const outcome = await verifyRenewal(auth, current, credentials)
  if (outcome.status !== 'renewed' || ticket < entry.applied) return outcome
  entry.applied = ticket
  entry.request = credentials
  entry.identity = outcome.identity
  for (const onRenew of [...entry.streams]) onRenew(outcome.identity, credentials)
  return outcome
}
