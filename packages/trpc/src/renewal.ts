import { type Renewal, type RenewBeforeExpiryOptions, renewBeforeExpiry } from '@portcullis/core'
import { TRPCError } from '@trpc/server'
import { stateOf } from './context.js'
import { toTRPCError, withRealm } from './errors.js'

/**
 * What `renewToken` takes: the same shape as `wsLink`'s `connectionParams` (`{ token }` by
 * default), mapped to credentials by the context's `connectionParams` option.
 *
 * @example
 * await wsTrpc.renewToken.mutate({ token: await idp.accessToken() })
 */
export type RenewTokenInput = Readonly<Record<string, string | undefined>>

/**
 * What `renewToken` answers: when the new token expires, in milliseconds since the epoch.
 *
 * @example
 * const { expiresAt }: RenewTokenOutput = await wsTrpc.renewToken.mutate({ token })
 */
export interface RenewTokenOutput {
  expiresAt: number | null
}

/**
 * The WebSocket close code of a renewal that names another subject or issuer (4403, as
 * graphql-ws's Forbidden): the connection is closed, since it must never change hands.
 *
 * @example
 * createWSClient({ url, onClose: ({ code }) => code === RENEWAL_MISMATCH_CLOSE_CODE && signOut() })
 */
export const RENEWAL_MISMATCH_CLOSE_CODE = 4403

/**
 * Checks `renewToken`'s input by hand: an object of strings, like connection params.
 *
 * @example
 * t.procedure.input(parseRenewInput) // { token: 'eyJ...' } passes; { token: 1 } is a BAD_REQUEST
 */
export function parseRenewInput(input: unknown): RenewTokenInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'renewToken takes an object like { token }' })
  for (const value of Object.values(input))
    if (value !== undefined && typeof value !== 'string')
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'renewToken takes string values only' })
  return input as RenewTokenInput
}

interface ClosableSocket {
  close(code: number, reason: string): void
}

/**
 * The resolver of `renewToken`: verifies the new credentials with core (`verifyRenewal`, never a
 * refresh) and, when they name the connection's subject and issuer, makes them the connection's:
 * later calls see the new identity, running subscriptions move their expiry to the new token's and
 * end with `FORBIDDEN` when it no longer meets their requirements. An invalid new token fails the
 * call (`UNAUTHORIZED`) and leaves the connection as it was; another subject closes the socket with
 * {@link RENEWAL_MISMATCH_CLOSE_CODE}. Over HTTP, where each request carries its own token, it is a
 * `BAD_REQUEST`.
 *
 * @example
 * t.procedure.input(parseRenewInput).mutation(({ ctx, input }) => renewConnection(ctx, input))
 */
export async function renewConnection(ctx: object, input: RenewTokenInput): Promise<RenewTokenOutput> {
  const state = stateOf(ctx)
  if (!state?.longLived || !state.socket)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message:
        'renewToken renews a WebSocket connection; over HTTP, send the new token with the next request',
    })
  const credentials = state.options.connectionParams(input)
  // No credential in the input is a token_missing rejection, as for any request.
  const outcome = await state.renew(credentials ?? {})
  if (outcome.status === 'renewed') return { expiresAt: outcome.identity.expiresAt?.getTime() ?? null }
  if (outcome.status === 'mismatch')
    (state.socket as ClosableSocket).close(RENEWAL_MISMATCH_CLOSE_CODE, 'renewal names another identity')
  throw toTRPCError(withRealm(outcome.error, state.realm))
}

/**
 * Options of {@link renewTokenBeforeExpiry}: core's `renewBeforeExpiry` options, with `send` given
 * by the `renewToken` mutation of a tRPC client whose links reach the WebSocket.
 *
 * @example
 * const options: RenewTokenBeforeExpiryOptions = { mutate: (input) => wsTrpc.renewToken.mutate(input), getToken }
 */
export interface RenewTokenBeforeExpiryOptions extends Omit<RenewBeforeExpiryOptions, 'send'> {
  /** `renewToken.mutate` of a client that sends it over the same WebSocket as the subscriptions. */
  mutate(input: { token: string }): Promise<unknown>
}

/**
 * A client helper: before the current token expires (`lead` ms before its `exp`, 30 s by default),
 * gets a fresh one from `getToken` and sends it with the `renewToken` mutation on the open
 * WebSocket, then schedules the next renewal. The mutation must travel on the socket that carries
 * the subscriptions (a client built on the same `createWSClient`), not over HTTP.
 *
 * @example
 * const wsClient = createWSClient({ url, connectionParams: async () => ({ token: await getToken() }) })
 * const trpc = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] })
 * const renewal = renewTokenBeforeExpiry({
 *   getToken,
 *   mutate: (input) => trpc.renewToken.mutate(input),
 * }).start(await getToken())
 * // on sign-out: renewal.stop(); wsClient.close()
 */
export function renewTokenBeforeExpiry(options: RenewTokenBeforeExpiryOptions): Renewal {
  if (typeof options?.mutate !== 'function') throw new TypeError('"mutate" must be a function')
  const { mutate, ...rest } = options
  return renewBeforeExpiry({ ...rest, send: (token) => mutate({ token }) })
}
