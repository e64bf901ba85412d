import { createPublicKey } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import { checkServer, load, profileServer, type RunningServer, startServer } from './http/load.js'
import type { ServerKeys } from './http/peers.js'
import { bareOf, peersOf, SCENARIOS, type Scenario } from './http/scenarios.js'
import { renderFrames } from './profile.js'
import type { Section, Target } from './report.js'
import { formatPercent, median } from './stats.js'
import { signToken } from './tokens.js'

export interface HttpOptions {
  readonly rounds: number
  readonly seconds: number
  readonly warmupSeconds: number
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

/** Section 2: throughput of each server on loopback, interleaved rounds, ratios to the bare server. */
export async function runHttp(options: HttpOptions): Promise<Section> {
  const { keys, token } = await httpKeys()
  const servers: RunningServer[] = []
  const samples = {
    wall: new Map<string, number[]>(SCENARIOS.map((scenario) => [scenario.name, []])),
    cpu: new Map<string, number[]>(SCENARIOS.map((scenario) => [scenario.name, []])),
  }
  let failures = 0
  try {
    for (const scenario of SCENARIOS) {
      const server = await startServer(scenario, keys)
      servers.push(server)
      await checkServer(server, token)
    }
    for (const server of servers) await load(server, token, options.warmupSeconds, options.connections)
    for (let round = 0; round < options.rounds; round++) {
      for (let index = 0; index < servers.length; index++) {
        const server = servers[(index + round) % servers.length]!
        const result = await load(server, token, options.seconds, options.connections)
        failures += result.failures
        samples.wall.get(server.scenario.name)!.push(result.requestsPerSecond)
        samples.cpu.get(server.scenario.name)!.push(result.requestsPerCpuSecond)
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
  }

  // Per-round ratios to the bare server of the same framework, so a noisy round affects both alike.
  const ratios = (scenario: Scenario, metric: Metric) => {
    const own = samples[metric].get(scenario.name)!
    const bare = samples[metric].get(bareOf(scenario).name)!
    return own.map((value, index) => value / bare[index]!)
  }
  const ratio = (scenario: Scenario, metric: Metric) => median(ratios(scenario, metric))
  const spread = (scenario: Scenario) => {
    const list = ratios(scenario, 'cpu')
    return `${formatPercent(Math.min(...list))}–${formatPercent(Math.max(...list))}`
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
  for (const ours of SCENARIOS.filter((scenario) => scenario.ours)) {
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
      `at a time for ${options.seconds} s, in ${options.rounds} interleaved rounds (order rotates), after a`,
      `${options.warmupSeconds} s warm-up each. Every request carries the same ES256 bearer token, as real clients do.`,
      'Each server was first checked to answer the token with its subject and (when it authenticates) to refuse a',
      "request without one. **Capacity** is requests served per second of the server process's own CPU time",
      '(`process.cpuUsage()` before and after each run): what the server could do on a core of its own, and',
      'nearly independent of what else the shared machine runs. The wall-clock req/s is shown too, but on a',
      'shared 2-core machine it swings with the neighbours. "vs bare" is the median of per-round ratios to the',
      'bare server of the same framework (in brackets: the lowest and highest round); targets are judged on',
      'capacity.',
    ].join(' '),
    header: ['Framework', 'Server', 'Capacity (req/CPU-s)', 'Capacity vs bare', 'Wall req/s', 'Wall vs bare'],
    rows,
    targets,
    notes,
  }
}
