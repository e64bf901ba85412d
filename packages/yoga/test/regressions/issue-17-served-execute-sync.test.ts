// Issue 17 (served Yoga): `onExecute` admits an operation whose state is already settled (a cached
// token) without a closure or a promise, and finds the state of the context built last without a
// stamp on it. These pin down what that must keep: no promise on the cached path, the identity and
// the denial still applied synchronously, each context admitted with its own state whatever the
// order, and repeated header lines still noticed by `defaultRequest`.
import { envelop } from '@envelop/core'
import { createAuth } from '@portcullis/core'
import { type AuthPlugin, useAuth } from '@portcullis/yoga'
import { parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { defaultRequest } from '../../src/options.js'
import { audience, issuer, makeSchema, secret, sign } from '../fixtures.js'

type ExecutePayload = Parameters<NonNullable<AuthPlugin['onExecute']>>[0]

/** Builds a context with a real (bare) Envelop, then hands the same context to `onExecute`. */
async function operation(plugin: AuthPlugin, token: string, query: string) {
  const context: Record<string, unknown> = {
    request: new Request('http://localhost/graphql', { headers: { authorization: `Bearer ${token}` } }),
  }
  await envelop({ plugins: [plugin] })(context).contextFactory()
  return { context, ...execute(plugin, context, query) }
}

/** Hands `context` to the plugin's `onExecute`, as Envelop does: what it returned, and what it stopped with. */
function execute(plugin: AuthPlugin, context: Record<string, unknown>, query = '{ reports { title } }') {
  const stopped: { errors?: readonly { extensions?: object }[] }[] = []
  const returned = plugin.onExecute!({
    args: { schema: makeSchema(), document: parse(query), contextValue: context },
    context,
    // What a later plugin could do between the hooks: the context's identity is the plugin's to set.
    extendContext: (extension: object) => Object.assign(context, extension),
    setResultAndStopExecution: (result: { errors?: readonly { extensions?: object }[] }) => {
      stopped.push(result)
    },
    executeFn: () => ({}),
    setExecuteFn: () => {},
  } as unknown as ExecutePayload)
  return { returned, stopped }
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
    // No context built first: the state is looked up, and verified, by onExecute itself.
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

describe('onExecute finds the state its own context was built with', () => {
  const auth = createAuth({ issuer, audience, secret })

  async function build(plugin: AuthPlugin, token: string) {
    const context: Record<string, unknown> = {
      request: new Request('http://localhost/graphql', { headers: { authorization: `Bearer ${token}` } }),
    }
    await envelop({ plugins: [plugin] })(context).contextFactory()
    return context
  }

  it('when two contexts are built before either executes, in either order', async () => {
    const plugin = useAuth({ auth })
    const reader = await sign({ sub: 'reader', scope: 'read:reports' })
    const plain = await sign({ sub: 'plain' })
    const first = await build(plugin, reader)
    const second = await build(plugin, plain)
    // Whoever executes first, each is admitted as its own token allows.
    expect(execute(plugin, second).stopped[0]?.errors?.[0]?.extensions).toMatchObject({
      reason: 'insufficient_scope',
    })
    expect(execute(plugin, first).stopped).toEqual([])
    expect(first.identity).toMatchObject({ subject: 'reader' })
    expect(second.identity).toMatchObject({ subject: 'plain' })
  })

  it('when a context executes twice, or one built for another request executes between', async () => {
    const plugin = useAuth({ auth })
    const plain = await build(plugin, await sign({ sub: 'plain' }))
    expect(execute(plugin, plain).stopped).toHaveLength(1)
    const reader = await build(plugin, await sign({ sub: 'reader', scope: 'read:reports' }))
    expect(execute(plugin, plain).stopped).toHaveLength(1)
    expect(execute(plugin, reader).stopped).toEqual([])
    expect(execute(plugin, reader).stopped).toEqual([])
  })

  it('never hands one context the state of another it was not built with', async () => {
    const plugin = useAuth({ auth })
    await build(plugin, await sign({ sub: 'reader', scope: 'read:reports' }))
    // A context the plugin never built, with no credentials: anonymous, refused, not the reader.
    const stranger: Record<string, unknown> = { request: new Request('http://localhost/graphql') }
    const { stopped } = execute(plugin, stranger)
    expect(stopped[0]?.errors?.[0]?.extensions).toMatchObject({ reason: 'token_missing' })
    expect(stranger.identity).toBeNull()
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
