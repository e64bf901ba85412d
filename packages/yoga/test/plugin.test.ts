import { type UseAuthOptions, useAuth } from '@portcullis/yoga'
import { createYoga } from 'graphql-yoga'
import { describe, expect, it } from 'vitest'
import { auth, forged, makeSchema, sign } from './fixtures.js'

type Options = Omit<UseAuthOptions<unknown>, 'auth'>

function serve(options: Options = {}) {
  return createYoga({ schema: makeSchema(), plugins: [useAuth({ auth, ...options })], logging: false })
}

interface Sent {
  token?: string
  cookie?: string
  variables?: Record<string, unknown>
}

async function post(yoga: ReturnType<typeof serve>, query: string, sent: Sent = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (sent.token) headers.authorization = `Bearer ${sent.token}`
  if (sent.cookie) headers.cookie = sent.cookie
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables: sent.variables }),
  })
  const body = (await response.json()) as {
    data?: Record<string, unknown> | null
    errors?: { message: string; path?: (string | number)[]; extensions: Record<string, unknown> }[]
  }
  return { status: response.status, headers: response.headers, body }
}

const reader = () => sign({ scope: 'read:reports' })
const finance = () => sign({ scope: 'read:reports', roles: ['finance'] })

describe('useAuth with GraphQL Yoga', () => {
  const yoga = serve()

  it('answers public fields without a token', async () => {
    const { status, body } = await post(yoga, '{ health }')
    expect(status).toBe(200)
    expect(body).toEqual({ data: { health: 'ok' } })
  })

  it('rejects an @auth field without a token with 401, UNAUTHENTICATED and a challenge', async () => {
    const { status, headers, body } = await post(yoga, '{ me { id } }')
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toBe('Bearer')
    expect(body.data).toBeUndefined()
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['me'],
        // Yoga turns `extensions.http` into the response status and headers, and drops it.
        extensions: { code: 'UNAUTHENTICATED', reason: 'token_missing' },
      }),
    ])
  })

  it('puts the identity of a bearer token in context.identity', async () => {
    const { status, body } = await post(yoga, '{ me { id scopes } }', { token: await reader() })
    expect(status).toBe(200)
    expect(body.data).toEqual({ me: { id: 'alice', scopes: ['read:reports'] } })
  })

  it('puts the identity of a session cookie in context.identity', async () => {
    const { status, body } = await post(yoga, '{ me { id } }', {
      cookie: `theme=dark; __session=${await reader()}`,
    })
    expect(status).toBe(200)
    expect(body.data).toEqual({ me: { id: 'alice' } })
  })

  it('rejects missing roles with 403 FORBIDDEN and the path of the denied field', async () => {
    const { status, headers, body } = await post(yoga, '{ reports { title revenue } }', {
      token: await reader(),
    })
    expect(status).toBe(403)
    expect(headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    expect(body.data).toBeUndefined()
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'requires the roles: finance',
        path: ['reports', 'revenue'],
        extensions: expect.objectContaining({ code: 'FORBIDDEN', reason: 'forbidden' }),
      }),
    ])
  })

  it('rejects missing scopes with 403 insufficient_scope naming the scope in WWW-Authenticate', async () => {
    const { status, headers, body } = await post(yoga, '{ reports { title } }', { token: await sign() })
    expect(status).toBe(403)
    expect(headers.get('www-authenticate')).toContain('scope="read:reports"')
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'insufficient_scope' })
  })

  it('lets through an identity holding the roles and scopes', async () => {
    const { status, body } = await post(yoga, '{ reports { title revenue } }', { token: await finance() })
    expect(status).toBe(200)
    expect(body.data).toEqual({
      reports: [
        { title: 'Q0', revenue: 0 },
        { title: 'Q1', revenue: 100 },
      ],
    })
  })

  it('lists every denied path of an operation, and runs none of it', async () => {
    const { status, body } = await post(yoga, '{ health me { id } reports { revenue } adminStats { users } }')
    expect(status).toBe(401)
    expect(body.data).toBeUndefined()
    expect(body.errors?.map((error) => error.path)).toEqual([
      ['me'],
      ['reports'],
      ['reports', 'revenue'],
      ['adminStats'],
      ['adminStats', 'users'],
    ])
    expect(body.errors?.every((error) => error.extensions.code === 'UNAUTHENTICATED')).toBe(true)
  })

  it('rejects an invalid token with 401 even for public fields', async () => {
    const { status, headers, body } = await post(yoga, '{ health }', { token: await forged() })
    expect(status).toBe(401)
    expect(headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'signature_invalid',
    })
  })

  it('rejects an expired token with token_expired', async () => {
    const token = await sign({ exp: Math.floor(Date.now() / 1000) - 60 })
    const { status, body } = await post(yoga, '{ health }', { token })
    expect(status).toBe(401)
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'token_expired' })
  })

  it('treats an invalid token as anonymous only when invalidToken is "anonymous"', async () => {
    const lenient = serve({ invalidToken: 'anonymous' })
    const token = await forged()
    expect((await post(lenient, '{ health }', { token })).body).toEqual({ data: { health: 'ok' } })
    expect((await post(lenient, '{ me { id } }', { token })).status).toBe(401)
  })

  it('guards mutations', async () => {
    const query = 'mutation { publish(title: "x") { title } }'
    expect((await post(yoga, query, { token: await reader() })).status).toBe(403)
    const editor = await sign({ roles: ['editor'] })
    expect((await post(yoga, query, { token: editor })).body).toEqual({ data: { publish: { title: 'x' } } })
  })

  it('accepts either a role or a scope in mode ANY', async () => {
    expect((await post(yoga, '{ either }', { token: await reader() })).status).toBe(200)
    expect((await post(yoga, '{ either }', { token: await sign({ roles: ['finance'] }) })).status).toBe(200)
    const { status, body } = await post(yoga, '{ either }', { token: await sign() })
    expect(status).toBe(403)
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'insufficient_scope' })
  })

  it('keeps its errors through error masking and masks everything else', async () => {
    const masked = createYoga({
      schema: makeSchema(),
      plugins: [useAuth({ auth })],
      maskedErrors: true,
      logging: false,
    })
    const { body } = await post(masked, '{ me { id } }')
    expect(body.errors?.[0]?.message).toBe('authentication is required')
  })

  it('never echoes the token', async () => {
    const token = await forged()
    const { body, headers } = await post(yoga, '{ health }', { token })
    expect(JSON.stringify(body)).not.toContain(token.split('.')[2])
    expect(headers.get('www-authenticate')).not.toContain(token.split('.')[2])
  })
})

describe('onDeny: "null"', () => {
  const yoga = serve({ onDeny: 'null' })

  it('resolves denied fields to null with an error at each path and returns the rest', async () => {
    const { status, body } = await post(yoga, '{ health reports { title revenue } }', {
      token: await reader(),
    })
    expect(status).toBe(200)
    expect(body.data).toEqual({
      health: 'ok',
      reports: [
        { title: 'Q0', revenue: null },
        { title: 'Q1', revenue: null },
      ],
    })
    expect(body.errors?.map((error) => [error.path, error.extensions])).toEqual([
      [['reports', 0, 'revenue'], { code: 'FORBIDDEN', reason: 'forbidden' }],
      [['reports', 1, 'revenue'], { code: 'FORBIDDEN', reason: 'forbidden' }],
    ])
  })

  it('nulls a denied root field for an anonymous request', async () => {
    const { status, body } = await post(yoga, '{ health me { id } }')
    expect(status).toBe(200)
    expect(body.data).toEqual({ health: 'ok', me: null })
    expect(body.errors?.[0]).toMatchObject({ path: ['me'], extensions: { code: 'UNAUTHENTICATED' } })
  })

  it('still rejects an invalid token outright', async () => {
    const { status } = await post(yoga, '{ health }', { token: await forged() })
    expect(status).toBe(401)
  })
})

describe('protectAll', () => {
  const yoga = serve({ protectAll: true })

  it('requires an identity for every field not marked @public', async () => {
    expect((await post(yoga, '{ health }')).status).toBe(200)
    const { status, body } = await post(yoga, '{ search(q: "x") { __typename } }')
    expect(status).toBe(401)
    expect(body.errors?.[0]?.path).toEqual(['search'])
    expect((await post(yoga, '{ search(q: "x") { __typename } }', { token: await sign() })).status).toBe(200)
  })

  it('requires an identity for introspection; __typename stays open', async () => {
    expect((await post(yoga, '{ __schema { queryType { name } } }')).status).toBe(401)
    expect((await post(yoga, '{ __type(name: "Query") { name } }')).status).toBe(401)
    expect((await post(yoga, '{ __typename health }')).body).toEqual({
      data: { __typename: 'Query', health: 'ok' },
    })
    const token = await sign()
    expect((await post(yoga, '{ __schema { queryType { name } } }', { token })).status).toBe(200)
  })

  it('leaves introspection open without protectAll', async () => {
    const { status } = await post(serve(), '{ __schema { queryType { name } } }')
    expect(status).toBe(200)
  })
})

describe('verification', () => {
  it('verifies the token once per HTTP request, even for a batch of operations', async () => {
    let calls = 0
    const counting: typeof auth = {
      ...auth,
      authenticate(request) {
        calls++
        return auth.authenticate(request)
      },
      authenticateSync(request) {
        const known = auth.authenticateSync(request)
        if (known) calls++
        return known
      },
    }
    const yoga = createYoga({
      schema: makeSchema(),
      plugins: [useAuth({ auth: counting })],
      batching: true,
      logging: false,
    })
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await reader()}` },
      body: JSON.stringify([
        { query: '{ me { id } }' },
        { query: '{ reports { title } }' },
        { query: '{ health }' },
      ]),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual([
      { data: { me: { id: 'alice' } } },
      { data: { reports: [{ title: 'Q0' }, { title: 'Q1' }] } },
      { data: { health: 'ok' } },
    ])
    expect(calls).toBe(1)
  })
})
