// Issue 7 (bench): an async hook costs Yoga its synchronous path, ~10 points of throughput. On a
// cached token the plugin now answers without a promise; these tests pin that down, and that the
// synchronous path still re-checks what a cached token must satisfy.
import { envelop } from '@envelop/core'
import { AuthError, createAuth } from '@portcullis/core'
import { type AuthPlugin, useAuth } from '@portcullis/yoga'
import { createYoga, type Plugin } from 'graphql-yoga'
import { describe, expect, it } from 'vitest'
import { audience, issuer, makeSchema, secret, sign } from '../fixtures.js'

function setup() {
  // A second ahead: a token signed just after (its `iat` rounded up to the next second, under load)
  // is then never "issued in the future" with clockTolerance 0.
  let time = Date.now() + 1000
  const auth = createAuth({ issuer, audience, secret, now: () => time, clockTolerance: 0 })
  const plugin = useAuth({ auth })
  const yoga = createYoga({ schema: makeSchema(), plugins: [plugin], logging: false })
  const ask = (token: string, query = '{ me { id } }') =>
    yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    })
  return { auth, plugin, ask, advance: (ms: number) => (time += ms) }
}

/** A fresh context built by a real (bare) Envelop: its factory returns a promise only if a hook waits. */
function buildContext(plugin: AuthPlugin, token: string) {
  const context: Record<string, unknown> = {
    request: new Request('http://localhost/graphql', { headers: { authorization: `Bearer ${token}` } }),
  }
  const returned: unknown = envelop({ plugins: [plugin] })(context).contextFactory()
  return { context, returned }
}

describe('useAuth on a cached token', () => {
  it('waits for the first verification, then builds the context without a promise', async () => {
    const { plugin } = setup()
    const token = await sign()
    const first = buildContext(plugin, token)
    expect(first.returned).toBeInstanceOf(Promise)
    await first.returned
    expect(first.context.identity).toMatchObject({ subject: 'alice' })

    const again = buildContext(plugin, token)
    expect(again.returned).toBe(again.context)
    expect(again.context.identity).toMatchObject({ subject: 'alice' })
  })

  it('still rejects the token once it expires, and enforces rules on the synchronous path', async () => {
    const { ask, advance } = setup()
    const token = await sign({ exp: Math.floor(Date.now() / 1000) + 60 })
    expect((await ask(token)).status).toBe(200)
    // Cached now: a guarded field the token lacks the scope for is still refused.
    const denied = await ask(token, '{ reports { title } }')
    expect(denied.status).toBe(403)
    expect(await denied.json()).toMatchObject({ errors: [{ extensions: { reason: 'insufficient_scope' } }] })

    advance(61_000)
    const expired = await ask(token)
    expect(expired.status).toBe(401)
    expect(await expired.json()).toMatchObject({ errors: [{ extensions: { reason: 'token_expired' } }] })
  })
})

// From a hostile review of the change above.
describe('the synchronous path never skips a check', () => {
  const post = async (
    yoga: { fetch(url: string, init: RequestInit): Response | Promise<Response> },
    query: string,
    token: string,
  ) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    })
    return {
      status: response.status,
      body: (await response.json()) as { data?: unknown; errors?: unknown[] },
    }
  }

  it('goes through an auth whose authenticate was wrapped to add a check, on every request', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const banned: typeof auth = {
      ...auth,
      async authenticate(request, options) {
        const result = await auth.authenticate(request, options)
        if (result.status === 'authenticated' && result.identity.subject === 'alice')
          return { status: 'rejected', error: new AuthError('revoked', 'this subject is banned') }
        return result
      },
    }
    const yoga = createYoga({ schema: makeSchema(), plugins: [useAuth({ auth: banned })], logging: false })
    const token = await sign()
    expect((await post(yoga, '{ me { id } }', token)).status).toBe(401)
    // The token is in core's cache now; the wrapper must still decide.
    expect((await post(yoga, '{ me { id } }', token)).status).toBe(401)
  })

  it("onDeny: 'null' still nulls a guarded field when another plugin hands execution a Proxy of the context", async () => {
    const proxying: Plugin = {
      onExecute({ executeFn, setExecuteFn }) {
        setExecuteFn((args) =>
          executeFn({ ...args, contextValue: new Proxy(args.contextValue as object, {}) }),
        )
      },
    }
    const auth = createAuth({ issuer, audience, secret })
    const yoga = createYoga({
      schema: makeSchema(),
      plugins: [useAuth({ auth, onDeny: 'null' }), proxying],
      logging: false,
    })
    const { body } = await post(yoga, '{ reports { title revenue } }', await sign({ scope: 'read:reports' }))
    // `revenue` needs the finance role, which the token lacks.
    expect(body).toMatchObject({
      data: {
        reports: [
          { title: 'Q0', revenue: null },
          { title: 'Q1', revenue: null },
        ],
      },
    })
  })

  it('refuses a guarded field checked at resolve time when the schema runs without the plugin', async () => {
    const schema = makeSchema()
    const auth = createAuth({ issuer, audience, secret })
    createYoga({ schema, plugins: [useAuth({ auth, onDeny: 'null' })], logging: false }).getEnveloped()
    const bare = createYoga({ schema, logging: false })
    const { body } = await post(bare, '{ reports { title revenue } }', await sign({ scope: 'read:reports' }))
    // `reports` is guarded too: refused, so the non-null list takes `data` down with it.
    expect(body.data).toBeNull()
    expect(body.errors).toEqual([
      expect.objectContaining({ path: ['reports'], extensions: { code: 'FORBIDDEN', reason: 'forbidden' } }),
    ])
  })
})
