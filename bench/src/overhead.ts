import type { AnyYoga } from './http/peers.js'
import { REQUESTS, SCENARIOS, type Scenario } from './http/scenarios.js'
import { httpKeys } from './http.js'
import type { Section } from './report.js'
import { median } from './stats.js'

const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`

export interface OverheadOptions {
  /** How many times the servers take turns. */
  readonly turns: number
  /** Requests per server per turn: short turns, so every server sees the same machine. */
  readonly chunk: number
  readonly warmup: number
}

/**
 * Section 2b: what each Yoga setup adds to a request, measured in one process with `yoga.fetch`.
 * The HTTP section answers the target but cannot resolve a few microseconds on a noisy shared
 * machine; here the setups take turns every `chunk` requests (a few milliseconds), so a slow
 * second slows them all alike, and CPU time per request is summed over every turn.
 */
export async function runOverhead(options: OverheadOptions): Promise<Section> {
  const { keys, token } = await httpKeys()
  const url = `http://127.0.0.1${REQUESTS.yoga.path}`
  const headers = { authorization: `Bearer ${token}` }
  const setups: { scenario: Scenario; app: AnyYoga; cpu: number }[] = []
  for (const scenario of SCENARIOS) {
    // Peers are left out: their allocation (a jose verification per request) makes the GC run during
    // the other setups' turns too, and section 2 measures them in processes of their own.
    if (!scenario.app || (scenario.auth && !scenario.ours)) continue
    const app = await scenario.app(keys)
    const body = await (await app.fetch(url, { headers })).text()
    const wanted = scenario.auth || scenario.floor ? REQUESTS.yoga.expect : REQUESTS.yoga.anonymous
    if (!body.includes(wanted)) throw new Error(`${scenario.name}: expected ${wanted}, got ${body}`)
    setups.push({ scenario, app, cpu: 0 })
  }
  /** CPU microseconds `count` requests take. */
  const run = async (app: AnyYoga, count: number) => {
    const started = process.cpuUsage()
    for (let index = 0; index < count; index++) await (await app.fetch(url, { headers })).text()
    const { user, system } = process.cpuUsage(started)
    return user + system
  }
  for (const setup of setups) await run(setup.app, options.warmup)
  const perTurn = new Map<string, number[]>(setups.map((setup) => [setup.scenario.name, []]))
  for (let turn = 0; turn < options.turns; turn++)
    for (let index = 0; index < setups.length; index++) {
      const setup = setups[(index + turn) % setups.length]!
      const spent = await run(setup.app, options.chunk)
      setup.cpu += spent
      perTurn.get(setup.scenario.name)!.push(spent / options.chunk)
    }
  const requests = options.turns * options.chunk
  const bare = setups.find((setup) => !setup.scenario.auth && !setup.scenario.floor)!
  const bareUs = bare.cpu / requests
  const rows = setups.map(({ scenario, cpu }) => {
    const us = cpu / requests
    const name = scenario.ours
      ? `**${scenario.name}**`
      : scenario.floor
        ? `_${scenario.name}_`
        : scenario.name
    return [
      name,
      `${us.toFixed(2)} µs`,
      // The median turn too: a turn that caught a GC pause or a noisy neighbour does not move it.
      `${median(perTurn.get(scenario.name)!).toFixed(2)} µs`,
      scenario === bare.scenario ? '—' : `${signed(us - bareUs)} µs (${signed((us / bareUs - 1) * 100)}%)`,
    ]
  })
  return {
    title: '2b. What each Yoga setup adds to a request, in-process',
    intro: [
      'The same Yoga apps as section 2 (the peers aside: their per-request verification keeps the GC busy during the other turns too), called in one process with `yoga.fetch` (no sockets), the same token',
      `on every request. The setups take turns every ${options.chunk} requests, ${options.turns} turns each after a`,
      `${options.warmup}-request warm-up, and CPU time (\`process.cpuUsage()\`) is summed over all turns: each`,
      'setup sees the same machine, so differences of a microsecond show. This is what the plugin itself costs;',
      "section 2 adds Node's HTTP server, whose share of a request is several times larger on this machine.",
    ].join(' '),
    header: ['Setup', 'CPU per request', 'median turn', 'added to bare Yoga'],
    rows,
    targets: [],
  }
}
