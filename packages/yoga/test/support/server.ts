import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type UseAuthOptions, useAuth } from '@portcullis/yoga'
import type { ExecutionArgs, ExecutionResult } from 'graphql'
import { createClient } from 'graphql-ws'
import { useServer } from 'graphql-ws/use/ws'
import { createYoga } from 'graphql-yoga'
import { onTestFinished } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { auth, makeSchema } from '../fixtures.js'

type Options = UseAuthOptions<unknown>
type Roots = { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown }

export type Result = ExecutionResult & {
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[]
}

/** Yoga on a real HTTP server on loopback, with graphql-ws on the same port; closed after the test. */
export async function listen(options: Partial<Options> = {}, yogaOptions: { batching?: boolean } = {}) {
  const yoga = createYoga({
    schema: makeSchema(),
    plugins: [useAuth({ auth, ...options })],
    logging: false,
    ...yogaOptions,
  })
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

/** A POST over real HTTP: the status, the headers and the parsed body. */
export async function post<T = Result>(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  })
  return { status: response.status, headers: response.headers, body: (await response.json()) as T }
}

/**
 * Every event of a Yoga SSE subscription until `complete` (bounded by a timeout). `onEvent` sees
 * the events so far after each one, to act mid-stream.
 */
export async function sse(
  url: string,
  query: string,
  headers: Record<string, string> = {},
  onEvent: (events: readonly Result[]) => unknown = () => {},
) {
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
      if (block.includes('event: complete'))
        return { status: response.status, headers: response.headers, events }
      if (data && block.includes('event: next')) {
        events.push(JSON.parse(data.slice(5)) as Result)
        await onEvent(events)
      }
    }
  }
  return { status: response.status, headers: response.headers, events }
}

/**
 * Every result of a graphql-ws subscription until it completes. `cookie` goes on the upgrade
 * request, as a browser sends it; `onResult` sees the results so far after each one.
 */
export async function ws(
  url: string,
  query: string,
  options: {
    connectionParams?: Record<string, unknown>
    cookie?: string
    onResult?: (results: readonly Result[]) => unknown
  } = {},
) {
  const { cookie } = options
  class Socket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, cookie ? { headers: { cookie } } : {})
    }
  }
  const client = createClient({
    url,
    webSocketImpl: Socket,
    connectionParams: options.connectionParams,
    lazy: true,
    retryAttempts: 0,
  })
  onTestFinished(() => client.dispose())
  const results: Result[] = []
  for await (const result of client.iterate({ query })) {
    results.push(result as Result)
    await options.onResult?.(results)
  }
  return results
}
