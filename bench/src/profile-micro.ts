// Runs one micro-benchmark case in a loop for a fixed time, for `node --cpu-prof`.
// Usage: node --cpu-prof dist/profile-micro.js <alg> <case: jose | miss | hit | authenticate> [milliseconds]
import { microCalls } from './micro.js'
import { ALGORITHMS, type BenchAlgorithm } from './tokens.js'

const [alg, which, ms] = process.argv.slice(2)
if (!ALGORITHMS.includes(alg as BenchAlgorithm)) throw new Error(`unknown algorithm ${alg}`)
const calls = await microCalls(alg as BenchAlgorithm)
const target = calls.find((item) => item.name === which)
if (!target) throw new Error(`no case "${which}": one of ${calls.map((call) => call.name).join(', ')}`)
await target.check()
const until = performance.now() + Number(ms ?? 2000)
while (performance.now() < until) for (let i = 0; i < 100; i++) await target.fn()
