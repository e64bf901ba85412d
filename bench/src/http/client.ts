import { connect, type Socket } from 'node:net'
import { parseResponses, type Response } from './responses.js'

/** A keep-alive HTTP client: `connections` sockets, opened once and reused by every run. */
export interface Client {
  /** Sends `count` GET requests, `connections` at a time; resolves to how many failed or answered another body. */
  run(count: number, expectBody: string): Promise<number>
  close(): void
}

/** How long a run may wait for an answer before it counts every unanswered request as failed. */
const STALL_MS = 10_000

/**
 * A small load generator for timed slots, on raw sockets: each request is a few bytes written once,
 * each answer parsed only as far as its status and body, so the client costs a few µs per request
 * and the server it loads is always the slower side. With Node's own HTTP client (~50-100 µs per
 * request on this machine, about what a cheap server spends) the two took turns being the bottleneck,
 * and how many requests the server found waiting per wake-up, with it its CPU per request, swung
 * ±50% from one slot to the next. The sockets stay open between runs, so a slot's server CPU time is
 * spent on requests, not on accepting and closing connections, and a run has no start-up cost.
 *
 * @example
 * const client = keepAliveClient(server.url, { authorization: `Bearer ${token}` }, 10)
 * const failures = await client.run(1000, body)
 */
export function keepAliveClient(url: string, headers: Record<string, string>, connections: number): Client {
  const { hostname, port, pathname, search } = new URL(url)
  const lines = Object.entries({ host: `${hostname}:${port}`, ...headers }).map(
    ([name, value]) => `${name}: ${value}\r\n`,
  )
  const requestBytes = Buffer.from(`GET ${pathname}${search} HTTP/1.1\r\n${lines.join('')}\r\n`, 'latin1')
  let sockets: Socket[] = []
  let closed = false
  /** A socket that the server closes between runs (its keep-alive timeout) is dropped, and replaced by the next run. */
  const open = (): Socket => {
    const socket = connect(Number(port), hostname).setNoDelay(true)
    socket.on('error', () => {})
    socket.once('close', () => {
      sockets = sockets.filter((item) => item !== socket)
    })
    return socket
  }

  return {
    run(count, expectBody) {
      if (closed) return Promise.reject(new Error('the client is closed'))
      return new Promise<number>((resolve) => {
        let sent = 0
        let answered = 0
        let failures = 0
        let settled = false
        const finish = () => {
          if (settled) return
          settled = true
          clearInterval(watchdog)
          for (const [socket, onData] of listening) socket.off('data', onData).off('close', stall)
          resolve(failures)
        }
        const stall = () => {
          // Every request not yet answered counts as failed, and the sockets are opened afresh next run.
          failures += count - answered
          finish()
          for (const socket of sockets) socket.destroy()
          sockets = []
        }
        // Checked now and then rather than re-armed per answer, which would cost the client a timer per request.
        let seen = -1
        const watchdog = setInterval(() => {
          if (answered === seen) stall()
          seen = answered
        }, STALL_MS)
        const onAnswer = (socket: Socket) => (response: Response) => {
          answered++
          if (response.status !== 200 || response.body !== expectBody) failures++
          if (answered === count) return finish()
          if (sent < count) {
            sent++
            socket.write(requestBytes)
          }
        }
        const wanted = Math.min(connections, count)
        sockets = sockets.filter((socket) => socket.writable && !socket.destroyed)
        while (sockets.length < wanted) sockets.push(open())
        const listening = sockets
          .slice(0, wanted)
          .map((socket) => [socket, parseResponses(onAnswer(socket))] as const)
        for (const [socket, onData] of listening) {
          socket.on('data', onData)
          // A socket the server closes or breaks during a run fails it: the rest is never timed.
          socket.on('close', stall)
          sent++
          socket.write(requestBytes)
        }
      })
    },
    close() {
      closed = true
      for (const socket of sockets) socket.destroy()
      sockets = []
    },
  }
}
