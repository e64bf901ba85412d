import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AuthError } from '@portcullis/core'
import { type UseAuthOptions, useAuth } from '@portcullis/yoga'
import type { ExecutionArgs, ExecutionResult } from 'graphql'
import { createClient } from 'graphql-ws'
import { useServer } from 'graphql-ws/use/ws'
import { createYoga } from 'graphql-yoga'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { auth, makeSchema, sign, streams } from './fixtures.js'

type Options = UseAuthOptions<unknown>
type Roots = { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown }

/** Yoga on a real HTTP server on loopback, with graphql-ws on the same port; closed after the test. */
async function listen(options: Partial<Options> = {}) {
  const yoga = createYoga({ schema: makeSchema(), plugins: [useAuth({ auth, ...options })], logging: false })
  const server = createServer(yoga)
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint })
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as Roots).execute(args) as never,
      subscribe: (args) => (args.rootValue as Roots).subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        })
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        }
        const errors = validate(args.schema, args.document)
        return errors.length ? errors : args
      },
    },
    sockets,
  )
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(async () => {
    await disposable.dispose()
    await new Promise((done) => sockets.close(done))
    server.closeAllConnections()
    await new Promise((done) => server.close(done))
  })
  const { port } = server.address() as AddressInfo
  return { http: `http://127.0.0.1:${port}/graphql`, ws: `ws://127.0.0.1:${port}/graphql` }
}

type Result = ExecutionResult & { errors?: { message: string; extensions?: Record<string, unknown> }[] }

/** Every event of a Yoga SSE subscription, until `complete` (bounded by a timeout). */
async function sse(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(5000),
  })
  const events: Result[] = []
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true })
    let end = buffer.indexOf('\n\n')
    while (end >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      end = buffer.indexOf('\n\n')
      const data = block.split('\n').find((line) => line.startsWith('data:'))
      if (block.includes('event: complete')) return { status: response.status, events }
      if (data && block.includes('event: next')) events.push(JSON.parse(data.slice(5)) as Result)
    }
  }
  return { status: response.status, events }
}

/** Every result of a graphql-ws subscription until it completes. */
async function ws(url: string, query: string, connectionParams?: Record<string, unknown>) {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: true,
    retryAttempts: 0,
  })
  onTestFinished(() => client.dispose())
  const results: Result[] = []
  for await (const result of client.iterate({ query })) results.push(result as Result)
  return results
}

/**
 * A token valid for minutes, and a plugin clock running ahead so that it expires 150 ms from now:
 * the cut-off is tested without waiting for the real expiry.
 */
async function expiringSoon() {
  const exp = Math.floor(Date.now() / 1000) + 300
  const ahead = exp * 1000 - Date.now() - 150
  return { token: await sign({ exp }), now: () => Date.now() + ahead }
}

const post = async (url: string, query: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  })
  return { status: response.status, headers: response.headers, body: (await response.json()) as Result }
}

describe('over a real HTTP server', () => {
  it('answers 401 with a challenge, and 200 for a bearer token', async () => {
    const { http } = await listen()
    const anonymous = await post(http, '{ me { id } }')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer')
    expect(anonymous.body.errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'token_missing',
    })
    const authorized = await post(http, '{ me { id } }', { authorization: `Bearer ${await sign()}` })
    expect(authorized).toMatchObject({ status: 200, body: { data: { me: { id: 'alice' } } } })
  })

  it('sends refreshed session cookies back over HTTP', async () => {
    const refreshing: typeof auth = {
      ...auth,
      async authenticate(request) {
        return { ...(await auth.authenticate(request)), setCookie: ['__session=renewed; HttpOnly'] }
      },
    }
    const { http } = await listen({ auth: refreshing })
    const { status, headers } = await post(http, '{ me { id } }', { cookie: `__session=${await sign()}` })
    expect(status).toBe(200)
    expect(headers.getSetCookie()).toEqual(['__session=renewed; HttpOnly'])
  })
})

describe('subscriptions over SSE', () => {
  it('streams to an authenticated subscriber', async () => {
    const { http } = await listen()
    const { status, events } = await sse(http, 'subscription { ticks }', {
      authorization: `Bearer ${await sign()}`,
    })
    expect(status).toBe(200)
    expect(events).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }, { data: { ticks: 3 } }])
  })

  it('refuses an anonymous subscriber before the stream starts', async () => {
    const { http } = await listen()
    const { status, events } = await sse(http, 'subscription { ticks }')
    expect(status).toBe(401)
    expect(events).toEqual([
      expect.objectContaining({ errors: [expect.objectContaining({ path: ['ticks'] })] }),
    ])
    expect(events[0]?.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'token_missing',
    })
  })

  it('ends the stream with token_expired when the token expires', async () => {
    const { token, now } = await expiringSoon()
    const { http } = await listen({ now })
    const { events } = await sse(http, 'subscription { ticks(count: 500, every: 10) }', {
      authorization: `Bearer ${token}`,
    })
    const last = events.at(-1)
    expect(last?.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'token_expired' })
    expect(events.length).toBeGreaterThan(1)
    expect(events.length).toBeLessThan(200)
  })
})

describe('subscriptions over graphql-ws', () => {
  it('authenticates with connectionParams', async () => {
    const { ws: url } = await listen()
    const results = await ws(url, 'subscription { ticks(count: 2) }', {
      authorization: `Bearer ${await sign()}`,
    })
    expect(results).toEqual([{ data: { ticks: 1 } }, { data: { ticks: 2 } }])
  })

  it('refuses a subscription without credentials, and one with a forged token', async () => {
    const { ws: url } = await listen()
    const anonymous = await ws(url, 'subscription { ticks }')
    expect(anonymous).toHaveLength(1)
    expect(anonymous[0]?.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'token_missing',
    })
    const forged = await ws(url, 'subscription { ticks }', {
      authorization: `Bearer ${(await sign()).slice(0, -4)}AAAA`,
    })
    expect(forged[0]?.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'signature_invalid',
    })
  })

  it('ends the subscription when the token expires', async () => {
    const { token, now } = await expiringSoon()
    const { ws: url } = await listen({ now })
    const results = await ws(url, 'subscription { ticks(count: 500, every: 10) }', {
      authorization: `Bearer ${token}`,
    })
    expect(results.at(-1)?.errors?.[0]?.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      reason: 'token_expired',
    })
    expect(results.length).toBeGreaterThan(1)
    expect(results.length).toBeLessThan(200)
    await vi.waitFor(() => expect(streams.open).toBe(0))
  })

  it('ends the subscription at the next event once the session is revoked', async () => {
    let revoked = false
    // Stands in for core's session store: verification starts failing with `revoked`.
    const revocable: typeof auth = {
      ...auth,
      async authenticate(request) {
        if (revoked)
          return { status: 'rejected', error: new AuthError('revoked', 'session has been revoked') }
        return auth.authenticate(request)
      },
    }
    const { ws: url } = await listen({ auth: revocable })
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${await sign()}` },
      retryAttempts: 0,
    })
    onTestFinished(() => client.dispose())
    const results: Result[] = []
    for await (const result of client.iterate({ query: 'subscription { ticks(count: 500, every: 5) }' })) {
      results.push(result as Result)
      if (results.length === 2) revoked = true
    }
    expect(results.at(-1)?.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'revoked' })
    expect(results.length).toBeLessThanOrEqual(4)
  })
})
