import { once } from 'node:events'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { keepAliveClient } from '../../src/http/client.js'
import type { RunningServer } from '../../src/http/load.js'
import { timedLoad } from '../../src/http/load.js'
import type { Scenario } from '../../src/http/scenarios.js'

/** A loopback server answering with `handler` (a `keepAliveTimeout` if given), closed after the test; its URL. */
async function listen(
  handler: RequestListener,
  keepAliveTimeout?: number,
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler)
  if (keepAliveTimeout !== undefined) server.keepAliveTimeout = keepAliveTimeout
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
  onTestFinished(() => server.closeAllConnections())
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server }
}

/** A client for `url`, closed after the test. */
function clientOf(url: string, connections: number, headers: Record<string, string> = {}) {
  const client = keepAliveClient(url, headers, connections)
  onTestFinished(() => client.close())
  return client
}

/** A loopback server that answers `{"me":"alice"}`, except from request `breakAt` on; counts sockets. */
async function serve(breakAt = Number.POSITIVE_INFINITY) {
  let requests = 0
  let sockets = 0
  const { url, server } = await listen((req, res) => {
    requests++
    if (requests >= breakAt) res.writeHead(401).end('{"error":"token_expired"}')
    else res.end(req.headers.authorization === 'Bearer t' ? '{"me":"alice"}' : '{"me":"anonymous"}')
  })
  server.on('connection', () => sockets++)
  return { url, requests: () => requests, sockets: () => sockets }
}

/** The server as the bench's timing sees it: its CPU time is this process's. */
const running = (url: string): RunningServer => ({
  scenario: { name: 'Yoga bare', framework: 'yoga', auth: false, ours: false } as Scenario,
  url,
  cpu: async () => {
    const { user, system } = process.cpuUsage()
    return user + system
  },
  settle: async () => {},
  stop: async () => {},
})

describe('keepAliveClient', () => {
  it('sends exactly the requests asked for, over sockets opened once and reused by every run', async () => {
    const server = await serve()
    const client = clientOf(server.url, 4, { authorization: 'Bearer t' })
    expect(await client.run(50, '{"me":"alice"}')).toBe(0)
    expect(await client.run(50, '{"me":"alice"}')).toBe(0)
    expect(server.requests()).toBe(100)
    expect(server.sockets()).toBe(4)
  })

  it('counts every answer whose body or status differs from the one expected', async () => {
    const server = await serve(11)
    const client = clientOf(server.url, 2, { authorization: 'Bearer t' })
    expect(await client.run(30, '{"me":"alice"}')).toBe(20)
  })

  it('reads answers streamed in chunks, as tRPC and Express send them', async () => {
    const { url } = await listen((_, res) => {
      res.write('{"me":')
      res.end('"alice"}')
    })
    const client = clientOf(url, 3)
    expect(await client.run(30, '{"me":"alice"}')).toBe(0)
  })

  it('opens new sockets for the sockets a server closed between runs (its keep-alive timeout)', async () => {
    const { url } = await listen((_, res) => res.end('ok'), 50)
    const client = clientOf(url, 2)
    expect(await client.run(10, 'ok')).toBe(0)
    // Node closes an idle socket some time after its keepAliveTimeout (about a second here).
    await new Promise((done) => setTimeout(done, 1500))
    expect(await client.run(10, 'ok')).toBe(0)
  })

  it('fails the rest of a run when the server drops a connection, and opens new ones for the next run', async () => {
    let requests = 0
    const { url } = await listen((req, res) => {
      if (++requests === 5) req.socket.destroy()
      else res.end('ok')
    })
    const client = clientOf(url, 2)
    expect(await client.run(20, 'ok')).toBeGreaterThan(0)
    expect(await client.run(20, 'ok')).toBe(0)
  })
})

describe('timedLoad', () => {
  it('returns the CPU time of requests that all answered the expected body', async () => {
    const server = await serve()
    const client = clientOf(server.url, 2, { authorization: 'Bearer t' })
    expect(await timedLoad(running(server.url), client, 20, '{"me":"alice"}')).toBeGreaterThan(0)
  })

  it('refuses to time a server that starts answering another body or status', async () => {
    const server = await serve(15)
    const client = clientOf(server.url, 2, { authorization: 'Bearer t' })
    await expect(timedLoad(running(server.url), client, 20, '{"me":"alice"}')).rejects.toThrow(
      'Yoga bare: 6 of 20 requests failed or answered another body; not timing it',
    )
  })

  it('refuses a server that answers 200 with the anonymous body (the token ignored)', async () => {
    const server = await serve()
    const client = clientOf(server.url, 2)
    await expect(timedLoad(running(server.url), client, 10, '{"me":"alice"}')).rejects.toThrow(
      'not timing it',
    )
  })
})
