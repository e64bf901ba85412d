import { type Renewal, type RenewBeforeExpiryOptions, renewBeforeExpiry } from '@portcullis/core'
import type { RenewalPong } from './renewal.js'

/**
 * Options of {@link renewOverGraphQLWS}: core's `renewBeforeExpiry` options but `send`, which is
 * a ping on the connection's socket.
 *
 * @example
 * const options: GraphQLWSRenewalOptions = { getToken: () => idp.accessToken(), lead: 30_000 }
 */
export interface GraphQLWSRenewalOptions extends Omit<RenewBeforeExpiryOptions, 'send'> {
  /** How long to wait for the server's pong, in ms. @default 10_000 */
  timeout?: number
}

/** What `createClient` needs from the helper, spread into its options. */
export interface GraphQLWSRenewalClientOptions {
  connectionParams(): Promise<Record<string, unknown>>
  on: {
    connected(socket: unknown): void
    pong(received: boolean, payload?: Record<string, unknown>): void
    closed(): void
  }
}

/**
 * A running renewal for a graphql-ws client: its `clientOptions` go into `createClient`.
 *
 * @example
 * const renewal: GraphQLWSRenewal = renewOverGraphQLWS({ getToken })
 */
export interface GraphQLWSRenewal {
  readonly clientOptions: GraphQLWSRenewalClientOptions
  /** Stops renewing (the client keeps its connection until you dispose of it). */
  stop(): void
}

interface SocketLike {
  send(data: string): void
}

/**
 * A client helper for graphql-ws's `createClient`: it connects with `{ authorization: 'Bearer …' }`
 * from `getToken`, and `lead` ms before the token's `exp` sends a fresh one in a ping (`{ token }`),
 * which the server's `renewOnPing` hook verifies; the pong tells whether it was taken. Running
 * subscriptions go on, on the same socket. A reconnect (after a drop) starts over with a new token.
 *
 * @example
 * const renewal = renewOverGraphQLWS({ getToken: () => idp.accessToken() })
 * const client = createClient({ url, ...renewal.clientOptions })
 * // on sign-out: renewal.stop(); await client.dispose()
 */
export function renewOverGraphQLWS(options: GraphQLWSRenewalOptions): GraphQLWSRenewal {
  const { timeout = 10_000, ...rest } = options ?? {}
  if (typeof rest.getToken !== 'function') throw new TypeError('"getToken" must be a function')
  let socket: SocketLike | undefined
  let token: string | undefined
  let waiting: { resolve(pong: RenewalPong): void; reject(error: Error): void } | undefined

  const send = (next: string): Promise<void> => {
    const active = socket
    if (!active) return Promise.reject(new Error('renewal: the socket is not connected'))
    waiting?.reject(new Error('renewal: superseded by a newer renewal'))
    return new Promise<RenewalPong>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('renewal: no pong from the server')), timeout)
      waiting = {
        resolve(pong) {
          clearTimeout(timer)
          resolve(pong)
        },
        reject(error) {
          clearTimeout(timer)
          reject(error)
        },
      }
      active.send(JSON.stringify({ type: 'ping', payload: { token: next } }))
    }).then((pong) => {
      // Never the token in an error: the server's code only.
      if (pong.renewal !== 'renewed') throw new Error(`renewal ${pong.renewal}: ${pong.code ?? 'unknown'}`)
    })
  }
  const renewal: Renewal = renewBeforeExpiry({ ...rest, send })

  return {
    clientOptions: {
      async connectionParams() {
        token = await rest.getToken()
        return { authorization: `Bearer ${token}` }
      },
      on: {
        connected(connected) {
          socket = connected as SocketLike
          if (token) renewal.start(token)
        },
        pong(_received, payload) {
          // Keep-alive pongs carry no verdict.
          if (payload && typeof payload.renewal === 'string') {
            waiting?.resolve(payload as unknown as RenewalPong)
            waiting = undefined
          }
        },
        closed() {
          socket = undefined
          renewal.stop()
          waiting?.reject(new Error('renewal: the socket closed'))
          waiting = undefined
        },
      },
    },
    stop() {
      renewal.stop()
    },
  }
}
