import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth } from '@portcullis/core'
import {
  authDirectiveTypeDefs,
  RENEWAL_MISMATCH_CLOSE_CODE,
  renewOnPing,
  renewOverGraphQLWS,
  useAuth,
} from '@portcullis/yoga'
import type { ExecutionArgs, ExecutionResult } from 'graphql'
import { createClient } from 'graphql-ws'
import { useServer } from 'graphql-ws/use/ws'
import { createSchema, createYoga } from 'graphql-yoga'
import { describe, expect, it, onTestFinished } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { audience, issuer, secret, sign } from './fixtures.js'

const typeDefs = /* GraphQL */ `
  ${authDirectiveTypeDefs}
  type Query {
    me: String @auth
  }
  type Subscription {
    ticks: String! @auth
    reports: String! @auth(scopes: ["read:reports"])
    admin: String! @auth(roles: ["admin"])
  }
`
type Ctx = { identity: { subject: string } }
const feed = (name: string) => ({
  async *subscribe(_: unknown, __: unknown, context: Ctx) {
    // Bounded: 600 events, 20 ms apart.
    for (let tick = 0; tick < 600; tick++) {
      yield { [name]: `${context.identity.subject}:${tick}` }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  },
})
const resolvers = {
  Query: { me: (_: unknown, __: unknown, context: Ctx) => context.identity.subject },
  Subscription: { ticks: feed('ticks'), reports: feed('reports'), admin: feed('admin') },
}
type Roots = { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown }

/** Yoga's graphql-ws recipe on loopback, with `renewOnPing` as its `onPing` hook. */
async function listen() {
  // No clock tolerance: a token is over at its `exp`, so a missed renewal shows at once.
  const auth = createAuth({ issuer, audience, secret, clockTolerance: 0 })
  const plugin = useAuth({ auth })
  const yoga = createYoga({
    schema: createSchema({ typeDefs, resolvers }),
    plugins: [plugin],
    logging: false,
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
      onPing: renewOnPing(plugin),
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
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`
}

type Result = ExecutionResult<Record<string, string>> & {
  errors?: { extensions?: Record<string, unknown> }[]
}

/** A graphql-ws client with a raw ping of its own, to send hand-made renewals; counts connections. */
async function connect(token: string) {
  const url = await listen()
  const events = { opened: 0, closes: [] as number[], pongs: [] as Record<string, unknown>[] }
  let socket: WebSocket | undefined
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    // One connection for the whole test, operations or not.
    lazy: false,
    // The 4403 close is expected here; graphql-ws would log it.
    onNonLazyError: () => {},
    on: {
      connected: (connected) => {
        socket = connected as WebSocket
        events.opened++
      },
      closed: (event) => events.closes.push((event as { code: number }).code),
      pong: (_received, payload) => payload && events.pongs.push(payload),
    },
  })
  onTestFinished(() => client.dispose())
  /** Sends `{ token }` in a ping and waits for the server's verdict. */
  const ping = async (payload: Record<string, unknown>) => {
    await expect.poll(() => socket).toBeDefined()
    socket!.send(JSON.stringify({ type: 'ping', payload }))
  }
  const send = (next: string) => ping({ token: next })
  const renew = async (next: string) => {
    const before = events.pongs.length
    await send(next)
    await expect.poll(() => events.pongs.length).toBeGreaterThan(before)
    return events.pongs.at(-1)!
  }
  return { client, events, renew, send, ping }
}

interface Stream {
  readonly data: string[]
  errors?: Result['errors']
  stop(): void
}

function follow(client: ReturnType<typeof createClient>, field: 'ticks' | 'reports' | 'admin'): Stream {
  const stream: Stream = { data: [], stop: () => {} }
  const stop = client.subscribe<Record<string, string>>(
    { query: `subscription { ${field} }` },
    {
      next: (result) => {
        if (result.errors) stream.errors = (result as Result).errors
        else if (result.data) stream.data.push(result.data[field]!)
      },
      error: () => {},
      complete: () => {},
    },
  )
  ;(stream as { stop: () => void }).stop = stop
  onTestFinished(stop)
  return stream
}

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s
const numbers = (data: readonly string[]) => data.map((event) => Number(event.split(':').pop()))

describe('renewing the token of an open graphql-ws connection (renewOnPing)', () => {
  it('keeps a subscription running past three consecutive 3-second tokens, on one connection, losing no event', async () => {
    const url = await listen()
    let issued = 0
    const errors: unknown[] = []
    const renewal = renewOverGraphQLWS({
      getToken: () => {
        issued++
        return sign({ exp: inSeconds(3) })
      },
      lead: 1_000,
      onError: (error) => errors.push(error),
    })
    onTestFinished(() => renewal.stop())
    const connections = { opened: 0 }
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      ...renewal.clientOptions,
      on: {
        ...renewal.clientOptions.on,
        connected: (socket) => {
          connections.opened++
          renewal.clientOptions.on.connected(socket)
        },
      },
    })
    onTestFinished(() => client.dispose())
    const ticks = follow(client, 'ticks')

    const thirdExpired = inSeconds(3) * 1000 + 4_000
    await expect
      .poll(() => Date.now() > thirdExpired && issued >= 4, { timeout: 12_000, interval: 100 })
      .toBe(true)
    ticks.stop()
    expect(errors).toEqual([])
    expect(ticks.errors).toBeUndefined()
    expect(connections.opened).toBe(1)
    const seen = numbers(ticks.data)
    expect(seen.length).toBeGreaterThan(100)
    expect(seen).toEqual(seen.map((_, index) => index))
  }, 20_000)

  it('answers the renewal in the pong, without echoing the token', async () => {
    const { client, renew } = await connect(await sign())
    follow(client, 'ticks')
    const pong = await renew(await sign({ exp: inSeconds(120) }))
    expect(pong).toEqual({ renewal: 'renewed', expiresAt: inSeconds(120) * 1000 })
  })

  it('without a renewal, the same stream ends with token_expired at exp', async () => {
    const { client } = await connect(await sign({ exp: inSeconds(2) }))
    const ticks = follow(client, 'ticks')
    await expect.poll(() => ticks.errors, { timeout: 5_000 }).toBeDefined()
    expect(ticks.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'token_expired' })
  })

  it('closes the connection (4403) when the new token names another subject', async () => {
    const { client, events, send } = await connect(await sign())
    const ticks = follow(client, 'ticks')
    await expect.poll(() => ticks.data.length).toBeGreaterThan(1)
    // Closed at once, before any pong: nothing more runs on the connection.
    await send(await sign({ sub: 'mallory' }))
    await expect.poll(() => events.closes).toEqual([RENEWAL_MISMATCH_CLOSE_CODE])
    expect(events.pongs).toEqual([])
    expect(ticks.data.every((event) => event.startsWith('alice:'))).toBe(true)
  })

  it('ends exactly the subscriptions the new token no longer allows, with FORBIDDEN', async () => {
    const { client, renew } = await connect(await sign({ scope: 'read:reports', roles: ['admin'] }))
    const ticks = follow(client, 'ticks')
    const reports = follow(client, 'reports')
    const admin = follow(client, 'admin')
    await expect
      .poll(() => Math.min(ticks.data.length, reports.data.length, admin.data.length))
      .toBeGreaterThan(1)

    expect(await renew(await sign({ scope: 'profile', roles: ['admin'] }))).toMatchObject({
      renewal: 'renewed',
    })
    await expect.poll(() => reports.errors).toBeDefined()
    expect(reports.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'insufficient_scope' })
    const [ticksThen, adminThen] = [ticks.data.length, admin.data.length]
    await expect.poll(() => ticks.data.length).toBeGreaterThan(ticksThen + 2)
    await expect.poll(() => admin.data.length).toBeGreaterThan(adminThen + 2)
    expect(ticks.errors).toBeUndefined()
    expect(admin.errors).toBeUndefined()

    expect(await renew(await sign({ scope: 'profile', roles: [] }))).toMatchObject({ renewal: 'renewed' })
    await expect.poll(() => admin.errors).toBeDefined()
    expect(admin.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'forbidden' })
    const ticksNow = ticks.data.length
    await expect.poll(() => ticks.data.length).toBeGreaterThan(ticksNow + 2)
    expect(ticks.errors).toBeUndefined()
  })

  it('answers a ping without a token (a keep-alive) as graphql-ws always does', async () => {
    const { events, ping } = await connect(await sign())
    const before = events.pongs.length
    await ping({ hello: 'there' })
    await expect.poll(() => events.pongs.length).toBeGreaterThan(before)
    expect(events.pongs.at(-1)).toEqual({ hello: 'there' })
    expect(events.closes).toEqual([])
  })

  it('refuses an invalid new token and keeps the connection as it was', async () => {
    const { client, events, renew } = await connect(await sign())
    const ticks = follow(client, 'ticks')
    expect(await renew(await sign({ exp: inSeconds(-60) }))).toEqual({
      renewal: 'rejected',
      code: 'token_expired',
    })
    expect(await renew('not.a.jwt')).toEqual({ renewal: 'rejected', code: 'token_malformed' })
    const before = ticks.data.length
    await expect.poll(() => ticks.data.length).toBeGreaterThan(before + 2)
    expect(ticks.errors).toBeUndefined()
    expect(events.closes).toEqual([])
  })

  it('renews a connection that runs no subscription, for its later operations', async () => {
    const { client, renew } = await connect(await sign({ exp: inSeconds(2) }))
    expect(await renew(await sign({ exp: inSeconds(120) }))).toMatchObject({ renewal: 'renewed' })
    await new Promise((resolve) => setTimeout(resolve, 2_100))
    const result = await new Promise<Result>((resolve) => {
      client.subscribe(
        { query: '{ me }' },
        { next: (value) => resolve(value as Result), error: resolve, complete: () => {} },
      )
    })
    expect(result).toEqual({ data: { me: 'alice' } })
  })

  it('makes later operations on the connection use the new token', async () => {
    const { client, renew } = await connect(await sign({ exp: inSeconds(2) }))
    follow(client, 'ticks')
    expect(await renew(await sign({ exp: inSeconds(120) }))).toMatchObject({ renewal: 'renewed' })
    // Past the first token's expiry, a new operation still runs: on the renewed token.
    await new Promise((resolve) => setTimeout(resolve, 2_100))
    const result = await new Promise<Result>((resolve) => {
      client.subscribe(
        { query: '{ me }' },
        { next: (value) => resolve(value as Result), error: resolve, complete: () => {} },
      )
    })
    expect(result).toEqual({ data: { me: 'alice' } })
  })
})
