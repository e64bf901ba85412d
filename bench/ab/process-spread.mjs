// How alike several processes of one served scenario are, and how much one process's CPU per request
// moves from slot to slot: the two parts of section 2's A/A spread. Starts `processes` copies of a
// section 2 server (pinned as the bench pins them), warms each on its own, then times `rounds` rounds,
// each a slot of `requests` requests on every process in turn (a young-generation GC before each), and
// prints per process its median CPU µs per request and its median ratio to process 0 in the same round.
//
// Usage (from bench/, after `pnpm --filter @portcullis/bench build`):
//   taskset -c 0 node --expose-gc ab/process-spread.mjs ['Yoga bare'] [processes=4] [rounds=24] [requests=400]
// Measured for bench/README.md (2026-12-02, quiet machine): with Node's HTTP client one Yoga bare
// process read 54-216 µs per request over ten 1,000-request slots; with the raw-socket client 64-66 µs
// medians, processes within ±3% of each other (tRPC bare ±2%).

import { checkServer, startServer, timedLoad } from '../dist/http/load.js'
import { SCENARIOS } from '../dist/http/scenarios.js'
import { servedBy, warmServed } from '../dist/http/served.js'
import { httpKeys } from '../dist/http.js'

const [name = 'Yoga bare', processes = '4', rounds = '24', requests = '400'] = process.argv.slice(2)
const scenario = SCENARIOS.find((item) => item.name === name)
if (!scenario)
  throw new Error(`unknown scenario "${name}": one of ${SCENARIOS.map((item) => item.name).join(', ')}`)
const { keys, token } = await httpKeys()
const servers = await Promise.all(
  Array.from({ length: Number(processes) }, () => startServer(scenario, keys)),
)
try {
  const body = await checkServer(servers[0], token)
  const served = servedBy(servers, { authorization: `Bearer ${token}` }, 10)
  for (const one of served) await warmServed(one, body, 1500, 200)
  const costs = served.map(() => [])
  for (let round = 0; round < Number(rounds); round++)
    for (const [index, one] of served.entries()) {
      await one.server.settle()
      costs[index].push((await timedLoad(one.server, one.client, Number(requests), body)) / Number(requests))
    }
  for (const one of served) one.client.close()
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1]
  for (const [index, values] of costs.entries()) {
    const ratio = median(values.map((value, round) => value / costs[0][round]))
    console.log(
      `process ${index}: ${median(values).toFixed(1)} µs per request (${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}), ` +
        `${ratio.toFixed(3)}x process 0`,
    )
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()))
}
