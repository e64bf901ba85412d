// Issue 17 (served Yoga): `onExecute` admits an operation whose state is already settled (a cached
// token) without a closure or a promise, and `defaultRequest` counts a Node request's header names
// without `Object.keys`. These pin down what that must keep: no promise on the cached path, the
// identity and the denial still applied synchronously, and repeated header lines still noticed.
import { createAuth } from '@portcullis/core'
import { type AuthPlugin, useAuth } from '@portcullis/yoga'
import { parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { defaultRequest } from '../../src/options.js'
import { audience, issuer, makeSchema, secret, sign } from '../fixtures.js'

type ExecutePayload = Parameters<NonNullable<AuthPlugin['onExecute']>>[0]

/** Builds a context as Envelop does, then hands the same context to `onExecute`. */
async function operation(plugin: AuthPlugin, token: string, query: string) {
  const context: Record<string, unknown> = {
    request: new Request('http://localhost/graphql', { headers: { authorization: `Bearer ${token}` } }),
  }
  await plugin.onContextBuilding!({
    context: context as never,
    extendContext: (extension: object) => Object.assign(context, extension),
    breakContextBuilding: () => {},
  })
  const stopped: { errors?: readonly { extensions?: object }[] }[] = []
  const payload = {
    args: { schema: makeSchema(), document: parse(query), contextValue: context },
    context,
    extendContext: (extension: object) => Object.assign(context, extension),
    setResultAndStopExecution: (result: { errors?: readonly { extensions?: object }[] }) => {
      stopped.push(result)
    },
    executeFn: () => ({}),
    setExecuteFn: () => {},
  } as unknown as ExecutePayload
  return { context, stopped, returned: plugin.onExecute!(payload) }
}

describe('onExecute on a cached token', () => {
  const auth = createAuth({ issuer, audience, secret })

  it('admits without a promise, the identity already in the context', async () => {
    const plugin = useAuth({ auth })
    const token = await sign()
    await operation(plugin, token, '{ me { id } }') // the first verification fills core's cache
    const { returned, context, stopped } = await operation(plugin, token, '{ me { id } }')
    expect(returned).toBeUndefined()
    expect(context.identity).toMatchObject({ subject: 'alice' })
    expect(stopped).toEqual([])
  })

  it('stops a denied operation synchronously, with the rule that failed', async () => {
    const plugin = useAuth({ auth })
    const token = await sign()
    await operation(plugin, token, '{ me { id } }')
    const { returned, stopped } = await operation(plugin, token, '{ reports { title } }')
    expect(returned).toBeUndefined()
    expect(stopped).toHaveLength(1)
    expect(stopped[0]?.errors?.[0]?.extensions).toMatchObject({
      reason: 'insufficient_scope',
      http: { status: 403 },
    })
  })

  it('still waits for a token it has not verified yet', async () => {
    const plugin = useAuth({ auth })
    const token = await sign({ sub: 'bob' })
    const context: Record<string, unknown> = {
      request: new Request('http://localhost/graphql', { headers: { authorization: `Bearer ${token}` } }),
    }
    const stopped: unknown[] = []
    // No onContextBuilding first: the state is looked up, and verified, by onExecute itself.
    const returned = plugin.onExecute!({
      args: { schema: makeSchema(), document: parse('{ me { id } }'), contextValue: context },
      context,
      extendContext: (extension: object) => Object.assign(context, extension),
      setResultAndStopExecution: (result: unknown) => stopped.push(result),
      executeFn: () => ({}),
      setExecuteFn: () => {},
    } as unknown as ExecutePayload)
    expect(returned).toBeInstanceOf(Promise)
    await returned
    expect(context.identity).toMatchObject({ subject: 'bob' })
    expect(stopped).toEqual([])
  })
})

describe('defaultRequest on a Node request', () => {
  const request = new Request('http://localhost/graphql')

  it('reads the Fetch request when every header came on one line', () => {
    const req = {
      rawHeaders: ['Host', 'x', 'Authorization', 'Bearer a'],
      headers: { host: 'x', authorization: 'Bearer a' },
    }
    expect(defaultRequest({ request, req })).toBe(request)
  })

  it('reads the raw lines when a name came twice (Node kept only the first)', () => {
    const req = {
      rawHeaders: ['Host', 'x', 'Authorization', 'Bearer a', 'Authorization', 'Bearer b'],
      headers: { host: 'x', authorization: 'Bearer a' },
    }
    expect(defaultRequest({ request, req })).toBe(req)
  })

  it('counts only the record own names, not inherited ones', () => {
    const headers = Object.assign(Object.create({ inherited: 'yes' }), {
      host: 'x',
      authorization: 'Bearer a',
    })
    const req = { rawHeaders: ['Host', 'x', 'Authorization', 'Bearer a'], headers }
    expect(defaultRequest({ request, req })).toBe(request)
  })
})
