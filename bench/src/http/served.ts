import type { Variant } from '../palindrome.js'
import { type Client, keepAliveClient } from './client.js'
import { type RunningServer, timedLoad } from './load.js'

/** What a served variant needs of a server process: its URL, its CPU time, a GC, its name. */
export type TimedServer = Pick<RunningServer, 'url' | 'cpu' | 'settle'> & {
  readonly scenario: { readonly name: string }
}

/** One server process of a served variant, with the keep-alive client that loads it. */
export interface Served<Server extends TimedServer = RunningServer> {
  readonly server: Server
  readonly client: Client
}

/** Opens a keep-alive client to each of `servers` (one scenario's processes), with `headers` on every request. */
export const servedBy = <Server extends TimedServer>(
  servers: readonly Server[],
  headers: Record<string, string>,
  connections: number,
): Served<Server>[] =>
  servers.map((server) => ({ server, client: keepAliveClient(server.url, headers, connections) }))

/**
 * A variant served by several processes of the same server, for `palindromic` with `subSlots` a
 * multiple of their number: each sub-slot goes to the next process in turn, so a cycle's median mixes
 * every process alike, and one process's luck (its heap layout, what its JIT inlined) weighs on the
 * variant as one part in `processes`, not on all of it. An A/A control then compares two sets of
 * processes of the same server. Every timed answer must equal `body`; `check` runs on every process.
 *
 * @example
 * const variant = servedVariant('Yoga bare', servedBy(servers, headers, 10), body, checkOne)
 */
export function servedVariant<Server extends TimedServer>(
  name: string,
  processes: readonly Served<Server>[],
  body: string,
  checkOne: (server: Server) => Promise<string>,
): Variant {
  // Every run (warm-up included, so each process is warmed) goes to the next process in turn; `settle`
  // collects the garbage of the process whose turn comes next.
  let next = 0
  return {
    name,
    settle: () => processes[next % processes.length]!.server.settle(),
    run: (count) => {
      const { server, client } = processes[next++ % processes.length]!
      return timedLoad(server, client, count, body)
    },
    check: async () => {
      for (const { server } of processes)
        if ((await checkOne(server)) !== body) throw new Error(`${name}: its answer changed during the run`)
    },
  }
}

/**
 * Loads one process until it has spent `ms` of server CPU on requests (counts doubling from `first`,
 * at most 64 runs), every answer checked: each process of a set is warmed on its own, so that none
 * starts the cycles colder than its twin (turns that alternate over doubling counts leave one process
 * of a pair with twice the warm-up of the other, and a set of cold processes reads dearer).
 *
 * @example
 * for (const process of processes) await warmServed(process, body, 1500, 200)
 */
export async function warmServed(
  served: Served<TimedServer>,
  body: string,
  ms: number,
  first: number,
): Promise<void> {
  let count = first
  let spent = 0
  for (let runs = 0; spent < ms && runs < 64; runs++) {
    const cpu = (await timedLoad(served.server, served.client, count, body)) / 1000
    spent += cpu
    if (cpu < ms / 4 && count < 2 ** 20) count *= 2
  }
}
