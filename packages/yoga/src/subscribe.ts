import type { Plugin } from '@envelop/core'
import { AuthError, type Identity, type RequestLike } from '@portcullis/core'
import type { ExecutionResult } from 'graphql'
import type { Admit } from './admit.js'
import type { Connections } from './connections.js'
import type { RequestState } from './decide.js'
import type { NormalizedOptions } from './options.js'
import { isObject, type States } from './states.js'
import { guardStream, type StreamControl } from './subscriptions.js'

/**
 * Envelop's subscription hook, for a context carrying `identity` (the plugin's `AuthContext`, which
 * plugin.ts declares: spelled out here so this file does not import the file that imports it).
 */
export type OnSubscribe<Claims> = NonNullable<Plugin<{ identity: Identity<Claims> | null }>['onSubscribe']>

/**
 * The plugin's `onSubscribe`: a subscription is admitted all-or-nothing when it starts, then its
 * stream is guarded (see {@link guardStream}): it ends at token expiry, when its credentials no
 * longer verify (before each event, and every `subscriptionRecheck` while idle), and, on a
 * graphql-ws socket, when a renewal brings an identity its operation no longer allows.
 *
 * @example
 * const onSubscribe = createOnSubscribe(config, createStates(config, connections), admit, connections)
 */
export function createOnSubscribe<Claims>(
  config: NormalizedOptions<Claims>,
  { states, cookies, stateFrom, stateOf, setBuilt }: States<Claims>,
  admit: Admit<Claims>,
  connections: Connections,
): OnSubscribe<Claims> {
  const { auth } = config

  /**
   * What a running subscription verifies again. After a refresh the request's access cookie is
   * stale: the new cookies are verified, as the browser will send them, and never refreshed again.
   */
  function credentialsOf(state: RequestState<Claims>): RequestLike | undefined {
    const refreshed = cookies.get(state.key)
    return refreshed?.length ? { cookie: refreshed.map(cookiePair).join('; ') } : state.request
  }

  return async ({ args, context, extendContext, setResultAndStopExecution }) => {
    const state = await stateOf(context)
    extendContext({ identity: state.identity })
    // A stream cannot be partly denied for its lifetime, so subscriptions are always all-or-nothing.
    const errors = admit(state, args, context, 'reject')
    if (errors) return setResultAndStopExecution({ errors })
    if (!state.identity) return
    let identity: Identity<unknown> = state.identity
    let credentials = credentialsOf(state)
    // A socket's operation (its state lives on its context): a renewal may reach it.
    const { extra } = context as { extra?: unknown }
    const socket = state.key === context && isObject(extra) ? extra : undefined
    const watch = socket
      ? (control: StreamControl) => {
          const entry = connections.of(socket)
          entry.identity ??= identity
          const onRenew = (renewed: Identity<unknown>, request: RequestLike) => {
            // The operation is admitted again, as it was at subscribe time, under the new identity.
            const next = stateFrom(request, context, {
              status: 'authenticated',
              identity: renewed as never,
            })
            states.set(context, next)
            setBuilt(context, next)
            const errors = admit(next, args, context, 'reject')
            if (errors) return control.end(errors)
            ;(context as { identity?: unknown }).identity = renewed
            identity = renewed
            credentials = request
            control.retime(renewed.expiresAt)
          }
          entry.streams.add(onRenew)
          return () => entry.streams.delete(onRenew)
        }
      : undefined
    return {
      onSubscribeResult({ result, setResult }) {
        if (!isAsyncIterable(result)) return
        setResult(
          guardStream(result, {
            expiresAt: identity.expiresAt,
            now: config.now,
            recheckEvery: config.subscriptionRecheck,
            ...(watch ? { watch } : {}),
            async recheck() {
              const again = await auth.authenticate(credentials ?? {}, { refresh: false })
              if (again.status === 'rejected') return again.error
              if (again.status === 'anonymous' || again.identity.subject !== identity.subject)
                return new AuthError('token_missing', 'the subscription credentials are gone')
              return undefined
            },
          }),
        )
      },
    }
  }
}

/** `name=value` of a `Set-Cookie` line: what the browser sends back. */
const cookiePair = (setCookie: string): string => setCookie.split(';', 1)[0]!.trim()

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value
}
