import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { differenceCi, type Estimate, spreadOf } from './ci.js'
import type { AnyYoga } from './http/peers.js'
import { REQUESTS, SCENARIOS, type Scenario } from './http/scenarios.js'
import { trpcRouters } from './http/trpc-routers.js'
import { httpKeys } from './http.js'
import { cpuOf, type PalindromeOptions, palindromic, type Variant } from './palindrome.js'
import type { Section } from './report.js'
import { judge, type Target, withCi } from './verdict.js'

/** The cached-path target: CPU microseconds of Portcullis code per request, ours minus the framework's floor. */
export const CACHED_TARGET_US = 5
/** An A/A control wider than this (µs) cannot tell the target apart. */
const RESOLUTION_US = 1

const us = (value: number) => `${value.toFixed(2)} µs`

/** A setup of one framework, called in-process, with the body it must answer. */
interface Setup {
  readonly name: string
  readonly role: 'bare' | 'control' | 'floor' | 'ours'
  readonly call: () => Promise<string>
  readonly expect: string
}

async function yogaSetups(): Promise<Setup[]> {
  const { keys, token } = await httpKeys()
  const url = `http://127.0.0.1${REQUESTS.yoga.path}`
  const headers = { authorization: `Bearer ${token}` }
  const setups: Setup[] = []
  const role = (scenario: Scenario): Setup['role'] =>
    scenario.control ? 'control' : scenario.floor ? 'floor' : scenario.ours ? 'ours' : 'bare'
  for (const scenario of SCENARIOS) {
    // Peers are left out: their allocation (a jose verification per request) makes the GC run during
    // the other setups' slots too, and section 2 measures them in processes of their own.
    if (!scenario.app || (scenario.auth && !scenario.ours)) continue
    const app: AnyYoga = await scenario.app(keys)
    setups.push({
      name: scenario.name,
      role: role(scenario),
      call: async () => (await app.fetch(url, { headers })).text(),
      expect: scenario.auth || scenario.floor ? REQUESTS.yoga.expect : REQUESTS.yoga.anonymous,
    })
  }
  return setups
}

async function trpcSetups(): Promise<Setup[]> {
  const { keys, token } = await httpKeys()
  const routers = await trpcRouters(keys)
  const url = `http://127.0.0.1/trpc${REQUESTS.trpc.path}`
  const headers = { authorization: `Bearer ${token}` }
  return routers.map(({ name, role, router, createContext }) => ({
    name,
    role,
    call: async () =>
      (
        await fetchRequestHandler({
          endpoint: '/trpc',
          req: new Request(url, { headers }),
          router,
          createContext,
        })
      ).text(),
    expect: role === 'bare' || role === 'control' ? REQUESTS.trpc.anonymous : REQUESTS.trpc.expect,
  }))
}

/** Palindromic cycles over one framework's setups: ours minus bare, and the A/A control, in µs per request. */
async function measure(
  framework: string,
  setups: Setup[],
  options: PalindromeOptions,
): Promise<{ rows: string[][]; target: Target; control: Estimate }> {
  const variants: Variant[] = setups.map((setup) => ({
    name: setup.name,
    run: (count) => cpuOf(setup.call, count),
    check: async () => {
      const body = await setup.call()
      if (!body.includes(setup.expect))
        throw new Error(`${setup.name}: expected ${setup.expect}, got ${body}`)
    },
  }))
  const costs = await palindromic(variants, options)
  const of = (role: Setup['role']) => costs.get(setups.find((setup) => setup.role === role)!.name)!
  const control = differenceCi(of('control'), of('bare'))
  const rows = setups.map((setup) => {
    const own = costs.get(setup.name)!
    const added = differenceCi(own, of('bare'))
    const overFloor = differenceCi(own, of('floor'))
    const sorted = [...own].sort((a, b) => a - b)
    return [
      framework,
      setup.role === 'ours' ? `**${setup.name}**` : setup.role === 'floor' ? `_${setup.name}_` : setup.name,
      us(sorted[sorted.length >> 1]!),
      setup.role === 'bare' ? '—' : withCi(added, us),
      setup.role === 'ours' ? withCi(overFloor, us) : '—',
    ]
  })
  const ours = setups.find((setup) => setup.role === 'ours')!
  const target = judge({
    name: `${framework} cached path: <= ${CACHED_TARGET_US} µs CPU of Portcullis code per request (${ours.name} minus its floor)`,
    estimate: differenceCi(of('ours'), of('floor')),
    limit: CACHED_TARGET_US,
    better: 'lower',
    neutral: 0,
    control,
    format: us,
  })
  return { rows, target, control }
}

/**
 * Section 2b: what Portcullis adds to a request on the cached path, in µs of CPU, with Yoga
 * (`yoga.fetch`) and tRPC (its fetch adapter), each called in this process: bare, bare again (the A/A
 * control), the framework's floor and ours, in palindromic cycles.
 */
export async function runCachedPath(options: PalindromeOptions): Promise<Section> {
  const yoga = await measure('Yoga', await yogaSetups(), options)
  const trpc = await measure('tRPC', await trpcSetups(), options)
  const warnings = [yoga, trpc]
    .filter(({ control }) => spreadOf(control, 0) > RESOLUTION_US)
    .map(
      ({ target, control }) =>
        `${target.name.split(' ')[0]}: the A/A control (bare against bare) strays ${us(spreadOf(control, 0))} from 0, more than ${us(RESOLUTION_US)}: do not trust this run's µs figures.`,
    )
  return {
    title: '2b. Cached path: µs of Portcullis code per request, in-process',
    intro: [
      'Yoga called with `yoga.fetch`, tRPC with its fetch adapter (`fetchRequestHandler`), in this process (no',
      'sockets), the same ES256 token on every request (cached after the first). Each framework bare, bare again',
      '(a second app: the A/A control), its floor (an async plugin or middleware doing no token work) and',
      `Portcullis, CPU time per request (\`process.cpuUsage()\`) in ${options.cycles} palindromic cycles of ~${options.slotMs} ms`,
      'slots. "Added" is the per-cycle difference from bare, and for Portcullis also from the floor: median [95% CI].',
      'The target judges ours minus the floor: the floor is what the framework itself charges for the same hooks or',
      'middleware with no code of ours in them (the ">= 97% of bare" targets of section 2 judge the whole). The peers are left out (their',
      "per-request verification keeps the GC busy during the others' slots); section 2 adds Node's HTTP server.",
    ].join(' '),
    header: [
      'Framework',
      'Setup',
      'CPU per request (median cycle)',
      'Added to bare [95% CI]',
      'Added to the floor [95% CI]',
    ],
    rows: [...yoga.rows, ...trpc.rows],
    targets: [yoga.target, trpc.target],
    warnings,
  }
}
