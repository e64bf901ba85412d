import { Agent, request } from 'node:http'

/** A keep-alive HTTP client: `connections` sockets, opened once and reused by every run. */
export interface Client {
  /** Sends `count` GET requests, `connections` at a time; resolves to how many failed or answered another body. */
  run(count: number, expectBody: string): Promise<number>
  close(): void
}

/**
 * A small load generator for timed slots. Unlike an autocannon run, it keeps its sockets open between
 * runs, so a slot's server CPU time is spent on requests, not on accepting and closing connections
 * (which would weigh on cheap servers more than on dear ones), and a run has no start-up cost.
 */
export function keepAliveClient(url: string, headers: Record<string, string>, connections: number): Client {
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const one = () =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = request(url, { agent, headers }, (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          body += chunk
        })
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
        response.on('error', reject)
      })
      outgoing.setTimeout(10_000, () => outgoing.destroy(new Error('request timed out')))
      outgoing.on('error', reject)
      outgoing.end()
    })
  return {
    async run(count, expectBody) {
      let sent = 0
      let failures = 0
      const worker = async () => {
        while (sent < count) {
          sent++
          try {
            const { status, body } = await one()
            if (status !== 200 || body !== expectBody) failures++
          } catch {
            failures++
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(connections, count) }, worker))
      return failures
    },
    close: () => agent.destroy(),
  }
}
