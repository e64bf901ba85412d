import { createPublicKey } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import {
  checkServer,
  type LoadResult,
  load,
  profileServer,
  type RunningServer,
  startServer,
} from './http/load.js'
import type { ServerKeys } from './http/peers.js'
import { bareOf, peersOf, SCENARIOS, type Scenario } from './http/scenarios.js'
import { renderFrames } from './profile.js'
import type { Section, Target } from './report.js'
import { formatPercent, median, quartiles } from './stats.js'
import { signToken } from './tokens.js'

export interface HttpOptions {
  readonly rounds: number
  readonly seconds: number
  /** Requests each server answers before it is measured. */
  readonly warmupRequests: number
  readonly connections: number
  /** Profile a server whose target was missed. */
  readonly profile: boolean
}

export const THROUGHPUT_TARGET = 0.95

/** ES256 keys for every server, and one token that all requests reuse. */
export async function httpKeys(): Promise<{ keys: ServerKeys; token: string }> {
  const pair = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = { ...(await exportJWK(pair.publicKey)), alg: 'ES256', kid: 'es256-1' }
  const publicPem = createPublicKey({ key: publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString()
  const token = await signToken({
    alg: 'ES256',
    privateKey: pair.privateKey,
    verifyKey: pair.publicKey,
    secret: undefined,
    publicJwk,
  })
  return { keys: { publicJwk, publicPem }, token }
}

type Metric = 'wall' | 'cpu'

/**
 * Section 2: throughput of each server on loopback, as ratios to the bare server of its framework,
 * each measured between two runs of the bare server, in fresh processes every round (see `intro`).
 */
export async function runHttp(options: HttpOptions): Promise<Section> {
  const { keys, token } = await httpKeys()
  const servers = new Map<Scenario, RunningServer>()
  const samples = {
    wall: new Map<string, number[]>(SCENARIOS.map((scenario) => [scenario.name, []])),
    cpu: new Map<string, number[]>(SCENARIOS.map((scenario) => [scenario.name, []])),
  }
  const pairs = {
    wall: new Map<string, number[]>(SCENARIOS.map((scenario) => [scenario.name, []])),
    cpu: new Map<string, number[]>(SCENARIOS.map((scenario) => [scenario.name, []])),
  }
  let failures = 0
  const measure = async (scenario: Scenario) => {
    const result = await load(servers.get(scenario)!, token, options.seconds, options.connections)
    failures += result.failures
    samples.wall.get(scenario.name)!.push(result.requestsPerSecond)
    samples.cpu.get(scenario.name)!.push(result.requestsPerCpuSecond)
    return result
  }
  const compared = SCENARIOS.filter((scenario) => bareOf(scenario) !== scenario)
  try {
    for (const scenario of SCENARIOS) {
      const server = await startServer(scenario, keys)
      servers.set(scenario, server)
      await checkServer(server, token)
      // By request count: a server is measured once its code is optimized, whatever its speed.
      await load(server, token, { requests: options.warmupRequests }, options.connections)
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const framework of ['yoga', 'trpc'] as const) {
        // bare, A, bare, B, bare...: each scenario sits between two runs of its bare server.
        const order = compared.filter((scenario) => scenario.framework === framework)
        let before = await measure(bareOf(order[0]!))
        for (let index = 0; index < order.length; index++) {
          const scenario = order[(index + round) % order.length]!
          const own = await measure(scenario)
          const after = await measure(bareOf(scenario))
          for (const metric of ['wall', 'cpu'] as const) {
            const value = (result: LoadResult) =>
              metric === 'wall' ? result.requestsPerSecond : result.requestsPerCpuSecond
            pairs[metric].get(scenario.name)!.push(value(own) / ((value(before) + value(after)) / 2))
          }
          before = after
        }
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()))
  }

  const ratio = (scenario: Scenario, metric: Metric) => median(pairs[metric].get(scenario.name)!)
  const spread = (scenario: Scenario) => {
    const [low, high] = quartiles(pairs.cpu.get(scenario.name)!)
    return `${formatPercent(low)}–${formatPercent(high)}`
  }
  const rows = SCENARIOS.map((scenario) => [
    scenario.framework === 'yoga' ? 'GraphQL Yoga' : 'tRPC',
    scenario.ours ? `**${scenario.name}**` : scenario.floor ? `_${scenario.name}_` : scenario.name,
    median(samples.cpu.get(scenario.name)!).toFixed(0),
    bareOf(scenario) !== scenario
      ? `**${formatPercent(ratio(scenario, 'cpu'))}** (${spread(scenario)})`
      : '100%',
    median(samples.wall.get(scenario.name)!).toFixed(0),
    bareOf(scenario) !== scenario ? formatPercent(ratio(scenario, 'wall')) : '100%',
  ])

  const targets: Target[] = []
  const notes: string[] = []
  for (const ours of compared.filter((scenario) => scenario.ours)) {
    const own = ratio(ours, 'cpu')
    const peers = peersOf(ours)
    const best = Math.max(...peers.map((peer) => ratio(peer, 'cpu')))
    const met = own >= THROUGHPUT_TARGET && own > best
    targets.push({
      name: `${ours.name}: >= ${formatPercent(THROUGHPUT_TARGET)} of bare and faster than every peer`,
      met,
      measured: `${formatPercent(own)} of bare (wall clock ${formatPercent(ratio(ours, 'wall'))}); best peer ${formatPercent(best)}`,
    })
    if (!met && options.profile) {
      const frames = await profileServer(ours, keys, token, Math.max(options.seconds, 3))
      notes.push(renderFrames(`${ours.name} server under load`, frames))
    }
  }
  for (const framework of ['yoga', 'trpc'] as const)
    if (!SCENARIOS.some((scenario) => scenario.ours && scenario.framework === framework))
      targets.push({
        name: `${framework === 'yoga' ? 'Yoga + useAuth' : 'tRPC + @portcullis/trpc'}: >= ${formatPercent(THROUGHPUT_TARGET)} of bare and faster than every peer`,
        met: undefined,
        measured: 'adapter missing from this build',
      })
  if (SCENARIOS.every((scenario) => !scenario.ours))
    notes.push('The Portcullis adapters were not available in this build, so only the peers were measured.')
  if (failures > 0)
    notes.push(`**${failures} requests failed** (errors, timeouts or non-2xx) during the runs.`)

  return {
    title: '2. HTTP on loopback (autocannon)',
    intro: [
      `Each server runs in its own process on 127.0.0.1; autocannon (${options.connections} connections) loads one`,
      'at a time. Every request carries the same ES256 bearer token, as real clients do. Each server is checked',
      'to answer the token with its subject and (when it authenticates) to refuse a request without one, then',
      `answers ${options.warmupRequests.toLocaleString('en')} requests before it is measured, so that its code is optimized. The machine's speed`,
      `drifts by tens of percent over seconds (other tenants), so each server is measured for ${options.seconds} s between two`,
      'runs of the bare server of its framework, the order rotating, and "vs bare" is the median over',
      `${options.rounds} rounds of the ratio to the mean of the two bare runs around it (in brackets: the interquartile`,
      "range). **Capacity** is requests served per second of the server process's own CPU time",
      '(`process.cpuUsage()` before and after each run): what the server could do on a core of its own. The',
      'wall-clock req/s is shown too, but on a shared 2-core machine it swings with the neighbours. Targets are',
      'judged on capacity.',
    ].join(' '),
    header: ['Framework', 'Server', 'Capacity (req/CPU-s)', 'Capacity vs bare', 'Wall req/s', 'Wall vs bare'],
    rows,
    targets,
    notes,
  }
}
