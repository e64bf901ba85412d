// Runs one micro-benchmark case in a loop for a fixed time, for `node --cpu-prof`.
// Usage: node --cpu-prof dist/profile-micro.js <alg> <case name suffix> [milliseconds]
import { microCases } from './micro.js'
import { ALGORITHMS, type BenchAlgorithm } from './tokens.js'

const [alg, which, ms] = process.argv.slice(2)
if (!ALGORITHMS.includes(alg as BenchAlgorithm)) throw new Error(`unknown algorithm ${alg}`)
const { cases } = await microCases(alg as BenchAlgorithm)
const target = cases.find((item) => item.name.endsWith(which ?? ''))
if (!target) throw new Error(`no case ends with "${which}"`)
const until = performance.now() + Number(ms ?? 2000)
while (performance.now() < until) for (let i = 0; i < 100; i++) await target.fn()
