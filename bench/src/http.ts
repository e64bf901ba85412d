import { createPublicKey } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import { checkServer, load, profileServer, type RunningServer, startServer } from './http/load.js'
import type { ServerKeys } from './http/peers.js'
import { SCENARIOS, type Scenario } from './http/scenarios.js'
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

/** Section 2: throughput of each server on loopback, interleaved rounds, ratios to the bare server. */
export async function runHttp(options: HttpOptions): Promise<Section> {
  const { keys, token } = await httpKeys()
  const servers: RunningServer[] = []
  const rates = new Map<string, number[]>(SCENARIOS.map((scenario) => [scenario.name, []]))
  const latencies = new Map<string, number[]>(SCENARIOS.map((scenario) => [scenario.name, []]))
  let failures = 0
  try {
    for (const scenario of SCENARIOS) {
      const server = await startServer(scenario, keys)
      servers.push(server)
      await checkServer(server, token)
    }
    for (const server of servers) await load(server.url, token, options.warmupSeconds, options.connections)
    for (let round = 0; round < options.rounds; round++) {
      for (let index = 0; index < servers.length; index++) {
        const server = servers[(index + round) % servers.length]!
        const result = await load(server.url, token, options.seconds, options.connections)
        failures += result.failures
        rates.get(server.scenario.name)!.push(result.requestsPerSecond)
        latencies.get(server.scenario.name)!.push(result.latencyP50)
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
  }

  const bareOf = (scenario: Scenario) =>
    SCENARIOS.find((item) => item.framework === scenario.framework && !item.auth)!
  // Per-round ratio to the bare server of the same framework, so a noisy round affects both alike.
  const ratio = (scenario: Scenario) => {
    const own = rates.get(scenario.name)!
    const bare = rates.get(bareOf(scenario).name)!
    return median(own.map((value, index) => value / bare[index]!))
  }
  const rows = SCENARIOS.map((scenario) => [
    scenario.framework === 'yoga' ? 'GraphQL Yoga' : 'tRPC',
    scenario.ours ? `**${scenario.name}**` : scenario.name,
    median(rates.get(scenario.name)!).toFixed(0),
    `${median(latencies.get(scenario.name)!).toFixed(2)} ms`,
    scenario.auth ? formatPercent(ratio(scenario)) : '100% (ceiling)',
  ])

  const targets: Target[] = []
  const notes: string[] = []
  for (const ours of SCENARIOS.filter((scenario) => scenario.ours)) {
    const own = ratio(ours)
    const peers = SCENARIOS.filter((item) => item.framework === ours.framework && item.auth && !item.ours)
    const best = Math.max(...peers.map(ratio))
    const met = own >= THROUGHPUT_TARGET && own > best
    targets.push({
      name: `${ours.name}: >= ${formatPercent(THROUGHPUT_TARGET)} of bare and faster than every peer`,
      met,
      measured: `${formatPercent(own)} of bare; best peer ${formatPercent(best)}`,
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
      'request without one. "vs bare" is the median of per-round ratios to the bare server of the same framework.',
    ].join(' '),
    header: ['Framework', 'Server', 'req/s (median)', 'mean latency', 'vs bare'],
    rows,
    targets,
    notes,
  }
}
