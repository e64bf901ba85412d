import { createPublicKey } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import { type Estimate, inverse, ratioCi, spreadOf } from './ci.js'
import { checkServer, profileServer, type RunningServer, startServer } from './http/load.js'
import type { ServerKeys } from './http/peers.js'
import { bareOf, controlOf, peersOf, SCENARIOS, type Scenario } from './http/scenarios.js'
import { type Served, servedBy, servedVariant, warmServed } from './http/served.js'
import { RESOLUTION } from './micro.js'
import { type CycleCosts, type PalindromeOptions, palindromic, type Variant } from './palindrome.js'
import { renderFrames } from './profile.js'
import type { Section } from './report.js'
import { formatPercent, formatRatio, median } from './stats.js'
import { signToken } from './tokens.js'
import { judge, notMeasured, type Target, withCi } from './verdict.js'

export interface HttpOptions extends PalindromeOptions {
  readonly connections: number
  /** Server processes per scenario, loaded in turn (one sub-slot each): a set of processes per variant. */
  readonly processes: number
  /** Profile a server whose target was missed. */
  readonly profile: boolean
}

export const THROUGHPUT_TARGET = 0.97

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

const FRAMEWORKS = { yoga: 'GraphQL Yoga', trpc: 'tRPC' } as const

/**
 * One framework's servers, each in its own process, timed in palindromic cycles: server CPU
 * microseconds per request, per cycle. Every server is checked before timing and after, and every
 * timed answer is compared with the body it gave then.
 */
async function timeFramework(
  framework: Scenario['framework'],
  keys: ServerKeys,
  token: string,
  options: HttpOptions,
): Promise<CycleCosts> {
  const servers: RunningServer[] = []
  const served: Served[] = []
  try {
    const variants: Variant[] = []
    const scenarios = SCENARIOS.filter((item) => item.framework === framework)
    // Started side by side (start-up is not timed); each is pushed as soon as it listens, so that the
    // finally block stops every one that started, even when another failed to.
    await Promise.all(
      scenarios.flatMap((scenario) =>
        Array.from({ length: options.processes }, async () =>
          servers.push(await startServer(scenario, keys)),
        ),
      ),
    )
    for (const scenario of scenarios) {
      const own = servers.filter((item) => item.scenario === scenario)
      const body = await checkServer(own[0]!, token)
      const processes = servedBy(own, { authorization: `Bearer ${token}` }, options.connections)
      served.push(...processes)
      for (const process of processes)
        await warmServed(process, body, options.warmupMs, options.firstCount ?? 1)
      variants.push(servedVariant(scenario.name, processes, body, (server) => checkServer(server, token)))
    }
    return await palindromic(variants, options)
  } finally {
    for (const { client } of served) client.close()
    await Promise.all(servers.map((server) => server.stop()))
  }
}

/**
 * Section 2: each server's capacity (requests per CPU-second of its own process) as a ratio to the
 * bare server of its framework, from palindromic cycles in which every server of the framework is
 * kept equally warm, with a second bare process as the A/A control.
 */
export async function runHttp(options: HttpOptions): Promise<Section> {
  const { keys, token } = await httpKeys()
  const costs: CycleCosts = new Map()
  for (const framework of ['yoga', 'trpc'] as const)
    for (const [name, values] of await timeFramework(framework, keys, token, options)) costs.set(name, values)
  const cost = (scenario: Scenario) => costs.get(scenario.name)!
  /** Capacity of a scenario relative to its bare server: bare CPU per request / its own. */
  const capacity = (scenario: Scenario): Estimate => inverse(ratioCi(cost(scenario), cost(bareOf(scenario))))

  const rows = SCENARIOS.map((scenario) => [
    FRAMEWORKS[scenario.framework],
    scenario.ours ? `**${scenario.name}**` : scenario.floor ? `_${scenario.name}_` : scenario.name,
    `${median(cost(scenario)).toFixed(1)} µs`,
    bareOf(scenario) === scenario ? '100%' : withCi(capacity(scenario), formatPercent),
  ])

  const targets: Target[] = []
  const warnings: string[] = []
  const notes: string[] = []
  for (const framework of ['yoga', 'trpc'] as const) {
    const control = capacity(controlOf(SCENARIOS.find((item) => item.framework === framework)!))
    const spread = spreadOf(control, 1)
    if (spread > RESOLUTION)
      warnings.push(
        `${FRAMEWORKS[framework]}: the A/A control (two processes of the bare server) strays ±${(spread * 100).toFixed(1)}% from 100%, more than the ${RESOLUTION * 100}% this bench must resolve: do not trust this run's ${FRAMEWORKS[framework]} ratios.`,
      )
    const ours = SCENARIOS.find((item) => item.framework === framework && item.ours)
    const label = framework === 'yoga' ? 'Yoga + useAuth' : 'tRPC + @portcullis/trpc'
    if (!ours) {
      targets.push(notMeasured(`${label}: >= ${formatPercent(THROUGHPUT_TARGET)} of bare`, 'adapter missing'))
      continue
    }
    const own = judge({
      name: `${ours.name}: >= ${formatPercent(THROUGHPUT_TARGET)} of bare (capacity)`,
      estimate: capacity(ours),
      limit: THROUGHPUT_TARGET,
      better: 'higher',
      neutral: 1,
      control,
      format: formatPercent,
    })
    targets.push(own)
    // Against each peer: its CPU per request over ours, per cycle (> 1: ours is cheaper). The closest peer decides.
    const closest = peersOf(ours)
      .map((peer) => ({ peer, estimate: ratioCi(cost(peer), cost(ours)) }))
      .sort((a, b) => a.estimate.point - b.estimate.point)[0]
    if (closest)
      targets.push(
        judge({
          name: `${ours.name}: faster than every peer (closest: ${closest.peer.name})`,
          estimate: closest.estimate,
          limit: 1,
          better: 'higher',
          neutral: 1,
          format: (value) => `${formatRatio(value)} cheaper`,
        }),
      )
    // A missed target is profiled; an inconclusive one is not (the run could not tell, a profile would not either).
    if (own.verdict === 'missed' && options.profile) {
      const frames = await profileServer(ours, keys, token, 3)
      notes.push(renderFrames(`${ours.name} server under load`, frames))
    }
  }

  return {
    title: '2. HTTP on loopback',
    intro: [
      `Each server runs in ${options.processes} processes of its own on 127.0.0.1, each loaded from the bench process over ${options.connections} keep-alive`,
      'connections (opened once, so no slot pays for connecting; raw sockets, a few µs of client CPU per request, so the server is always the slower side), one process at a time and each sub-slot on the next process of the server, every request carrying the same ES256 bearer token, as real clients do. The',
      "figure is **server CPU time per request** (`process.cpuUsage()` of the server's process around each",
      "slot): the server's capacity on a core of its own, which does not depend on what the neighbours do.",
      'One framework at a time, each server process is first warmed on its own (as much server CPU as the warm-up below), then all its servers (a second bare process among them: the A/A control) are warmed',
      `up for ${options.warmupMs} ms of server CPU, calibrated to slots of ~${options.slotMs} ms of it (${options.subSlots ?? 1} sub-slots, each a round of the cycle's order; a cycle's value is their median), run through one untimed cycle, then timed in`,
      `${options.cycles} palindromic cycles (A B C … C B A): every server works and idles alike, so none reads dearer`,
      'for having waited. "vs bare" is capacity (bare CPU per request / its own) per cycle: median [95% CI].',
      'Every server is checked before timing and after (the subject for a token, a refusal without one), and',
      'every timed answer must equal the body it gave then, or the run stops.',
    ].join(' '),
    header: ['Framework', 'Server', 'CPU per request (median cycle)', 'Capacity vs bare [95% CI]'],
    rows,
    targets,
    warnings,
    notes,
  }
}
