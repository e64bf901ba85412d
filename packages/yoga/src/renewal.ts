import type { RequestLike } from '@portcullis/core'
import type { AuthPlugin, SocketConnection } from './plugin.js'

/**
 * The WebSocket close code of a renewal that names another subject or issuer: 4403, graphql-ws's
 * own Forbidden. A connection never changes hands.
 *
 * @example
 * createClient({ url, on: { closed: (event) => (event as CloseEvent).code === RENEWAL_MISMATCH_CLOSE_CODE && signOut() } })
 */
export const RENEWAL_MISMATCH_CLOSE_CODE = 4403

/**
 * What the server answers a renewal ping with, in its pong's payload (the token is not echoed).
 *
 * @example
 * const verdict = payload as RenewalPong // { renewal: 'renewed', expiresAt: 1767225600000 }
 */
export interface RenewalPong {
  renewal: 'renewed' | 'rejected' | 'mismatch'
  /** When the new token expires (ms since the epoch); only for `renewed`. */
  expiresAt?: number | null
  /** The `AuthError` code of a refused renewal. */
  code?: string
}

interface PingContext extends SocketConnection {
  readonly extra: { readonly socket?: unknown }
}

/** The credentials a renewal ping carries: `{ token }` as a bearer token, or `{ authorization }`. */
function credentialsOf(payload: Record<string, unknown>): RequestLike | undefined {
  if (typeof payload.authorization === 'string') return { authorization: payload.authorization }
  if (typeof payload.token === 'string') return { authorization: `Bearer ${payload.token}` }
  return undefined
}

/**
 * A graphql-ws `onPing` hook that renews the connection's token: a client's ping whose payload is
 * `{ token }` (or `{ authorization }`) is verified like any request, and when it names the
 * connection's subject and issuer, later operations and running subscriptions use it (their expiry
 * moves to the new token's; one its scopes or roles no longer allow ends with `FORBIDDEN`). The pong
 * answers a {@link RenewalPong} instead of echoing the token. Another subject or issuer closes the
 * socket with {@link RENEWAL_MISMATCH_CLOSE_CODE}; an invalid token leaves the connection as it was.
 * A ping without a token (a keep-alive) is answered as usual.
 *
 * @example
 * const plugin = useAuth({ auth })
 * const yoga = createYoga({ schema, plugins: [plugin] })
 * useServer({ ...yogaRecipe, onPing: renewOnPing(plugin) }, wsServer)
 */
export function renewOnPing(
  plugin: Pick<AuthPlugin<unknown>, 'renewConnection'>,
): (ctx: PingContext, payload: Record<string, unknown> | undefined) => Promise<void> {
  if (typeof plugin?.renewConnection !== 'function')
    throw new TypeError('"plugin" must be made by useAuth from @portcullis/yoga')
  return async (ctx, payload) => {
    if (typeof payload !== 'object' || payload === null) return
    const credentials = credentialsOf(payload)
    if (!credentials) return
    // graphql-ws answers with this very object: the pong carries the verdict, never the token.
    delete payload.token
    delete payload.authorization
    const outcome = await plugin.renewConnection(ctx, credentials)
    const pong = payload as unknown as RenewalPong
    pong.renewal = outcome.status
    if (outcome.status === 'renewed') pong.expiresAt = outcome.identity.expiresAt?.getTime() ?? null
    else pong.code = outcome.error.code
    if (outcome.status === 'mismatch')
      (ctx.extra.socket as { close?(code: number, reason: string): void } | undefined)?.close?.(
        RENEWAL_MISMATCH_CLOSE_CODE,
        'renewal names another identity',
      )
  }
}
