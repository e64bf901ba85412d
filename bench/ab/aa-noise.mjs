// How wide the bench's A/A controls are, under one set of method choices or another: each run is a
// fresh process that times one section's variants with `palindromic` (of a given build of the bench)
// and prints the A/A control's spread; runs of every configuration alternate, so they share the load.
//
// Usage (from the repository root, after `pnpm --filter @portcullis/bench build`):
//   node bench/ab/aa-noise.mjs <reps> <section,...> <config> [<config> ...]
// A section: micro-HS256 (any algorithm), cached-tRPC, cached-Yoga, graphql, frameworks-Hono (any
// framework of section 6). A config: name=dist:pin:options, for example
//   old=bench/node_modules/.old-dist::{"subSlots":1}
//   new=bench/dist:0:{"subSlots":4,"gc":true}
// `dist` is a build of bench/src (copy one aside to compare it with the working tree's), `pin` a CPU
// for `taskset -c` (empty: not pinned; pinned runs also get UV_THREADPOOL_SIZE=1), and the options
// override the section's options in bench/src/main.ts (`gc`: a young-generation GC before each
// sub-slot). Printed per run: the A/A spread (the farther CI end from "no difference", % or µs), and
// at the end the median and the largest spread per configuration, with the load averages seen.
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const argv = process.argv.slice(2)

/** The section options of bench/src/main.ts (full run), which a config's options override. */
const BASE = {
  micro: { cycles: 15, slotMs: 40, warmupMs: 300 },
  cached: { cycles: 21, slotMs: 40, warmupMs: 500 },
  graphql: { cycles: 15, slotMs: 100, warmupMs: 500 },
  frameworks: { cycles: 15, slotMs: 30, warmupMs: 300 },
}

async function child(dist, section, overrides) {
  const at = (file) => import(pathToFileURL(resolve(dist, file)).href)
  const { palindromic, cpuOf } = await at('palindrome.js')
  const { ratioCi, differenceCi, spreadOf } = await at('ci.js')
  const [kind, which] = section.split('-')
  const { gc, ...rest } = overrides
  const options = { ...BASE[kind], ...rest }
  if (gc) options.settle = async () => globalThis.gc({ type: 'minor' })
  const timed = (name, fn, check = async () => {}) => ({ name, run: (count) => cpuOf(fn, count), check })
  let variants
  if (kind === 'micro') {
    const calls = await (await at('micro.js')).microCalls(which)
    variants = ['jose', 'jose (A/A)', 'miss'].map((name) => {
      const call = calls.find((item) => item.name === name)
      return timed(name, call.fn, call.check)
    })
  } else if (kind === 'cached' && which === 'tRPC') {
    const { fetchRequestHandler } = await import('@trpc/server/adapters/fetch')
    const { keys, token } = await (await at('http.js')).httpKeys()
    const routers = await (await at('http/trpc-routers.js')).trpcRouters(keys)
    const headers = { authorization: `Bearer ${token}` }
    variants = routers.map(({ name, router, createContext }) =>
      timed(name, async () => {
        const req = new Request('http://127.0.0.1/trpc/me', { headers })
        return (await fetchRequestHandler({ endpoint: '/trpc', req, router, createContext })).text()
      }),
    )
  } else if (kind === 'cached' || kind === 'graphql') {
    const { keys, token } = await (await at('http.js')).httpKeys()
    const headers = { authorization: `Bearer ${token}` }
    const scenarios =
      kind === 'graphql'
        ? (await at('graphql-scale.js')).SCALE_SCENARIOS.slice(0, 4).map((item) => ({
            ...item,
            app: item.create,
          }))
        : (await at('http/scenarios.js')).SCENARIOS.filter((item) => item.app && (!item.auth || item.ours))
    const query = kind === 'graphql' ? (await at('graphql-scale.js')).QUERY : '{me}'
    const url = `http://127.0.0.1/graphql?query=${encodeURIComponent(query)}`
    variants = []
    for (const scenario of scenarios) {
      const app = await scenario.app(keys)
      variants.push(timed(scenario.name, async () => (await app.fetch(url, { headers })).text()))
    }
  } else if (kind === 'frameworks') {
    const pairs = await (await at('frameworks/apps.js')).frameworkPairs()
    const pair = pairs.find((item) => item.name.startsWith(which))
    variants = [timed('bare', pair.bare), timed('bare (A/A)', pair.bare), timed('protected', pair.protected)]
  } else throw new Error(`unknown section ${section}`)
  const costs = [...(await palindromic(variants, options)).values()]
  // The A/A control is always the second variant against the first, as in the bench.
  const ratio = spreadOf(ratioCi(costs[1], costs[0]), 1) * 100
  const difference = spreadOf(differenceCi(costs[1], costs[0]), 0)
  const first = [...costs[0]].sort((a, b) => a - b)[costs[0].length >> 1]
  console.log(JSON.stringify({ ratio, difference, first }))
  process.exit(0)
}

if (argv[0] === '--child') await child(argv[1], argv[2], JSON.parse(argv[3]))

const [reps, sections, ...specs] = argv
const configs = specs.map((spec) => {
  const [name, rest] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)]
  const [dist, pin, ...options] = rest.split(':')
  return { name, dist: resolve(dist), pin, options: options.join(':') || '{}' }
})
const self = fileURLToPath(import.meta.url)
const seen = new Map()
for (let rep = 0; rep < Number(reps); rep++)
  for (const section of sections.split(','))
    for (const config of configs) {
      const node = ['--expose-gc', self, '--child', config.dist, section, config.options]
      const [command, args] = config.pin
        ? ['taskset', ['-c', config.pin, process.execPath, ...node]]
        : [process.execPath, node]
      const load = loadavg()[0]
      const run = spawnSync(command, args, {
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, ...(config.pin ? { UV_THREADPOOL_SIZE: '1' } : {}) },
        timeout: 300_000,
      })
      const line = run.stdout.trim().split('\n').pop() ?? ''
      if (!line.startsWith('{')) {
        console.error(`${section} ${config.name}: failed\n${run.stderr}`)
        continue
      }
      const result = { ...JSON.parse(line), load }
      const key = `${section} ${config.name}`
      seen.set(key, [...(seen.get(key) ?? []), result])
      console.log(
        `${key}: A/A ±${result.ratio.toFixed(1)}% (±${result.difference.toFixed(2)} µs), baseline ${result.first.toFixed(1)} µs, load ${load.toFixed(1)}`,
      )
    }
const median = (values) => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]
console.log('\nA/A spread per configuration: median (largest) over runs')
for (const [key, results] of seen)
  console.log(
    `${key.padEnd(30)} ±${median(results.map((item) => item.ratio)).toFixed(1)}% (±${Math.max(...results.map((item) => item.ratio)).toFixed(1)}%), ` +
      `±${median(results.map((item) => item.difference)).toFixed(2)} µs; loads ${results.map((item) => item.load.toFixed(1)).join(', ')}`,
  )
