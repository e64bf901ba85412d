/**
 * A/B of the cached single-credential path between two builds of `@portcullis/core`, in one process:
 * `node dist/ab-credentials.js <old core dist/index.js> <new core dist/index.js> [rounds] [iterations]`.
 * Rounds alternate old and new (the order flips each round) and the report is the median ns per call,
 * so load on a shared machine hits both sides alike.
 *
 * `node dist/ab-credentials.js --one <core dist/index.js> <case index> <iterations>` runs one build and
 * one case only, for instruction counts: under `valgrind --tool=callgrind`, the difference between
 * two iteration counts is the cost of the extra calls, start-up and JIT warm-up cancelled out.
 */
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'

type Core = typeof import('@portcullis/core')
type Auth = ReturnType<Core['createAuth']>

const ISSUER = 'https://id.example.com/'
const AUDIENCE = 'https://api.example.com'
const SECRET = 'a-benchmark-secret-that-is-at-least-32-bytes'

async function tokenFor(): Promise<string> {
  const { SignJWT } = await import('jose')
  return new SignJWT({ sub: 'alice', scope: 'read write' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET))
}

interface Case {
  readonly name: string
  readonly run: (auth: Auth) => unknown
}

function cases(token: string): Case[] {
  const nodeLines = (name: string, value: string) => ({
    headers: {},
    rawHeaders: ['Host', '127.0.0.1:3000', 'User-Agent', 'bench/1.0', 'Accept', '*/*', name, value],
  })
  const nodeBearer = nodeLines('Authorization', `Bearer ${token}`)
  const nodeCookie = nodeLines('Cookie', `theme=dark; __session=${token}`)
  const fetchBearer = new Request('http://127.0.0.1/', { headers: { authorization: `Bearer ${token}` } })
  return [
    { name: 'authenticateSync, Node request, bearer', run: (auth) => auth.authenticateSync(nodeBearer) },
    { name: 'authenticateSync, Node request, cookie', run: (auth) => auth.authenticateSync(nodeCookie) },
    { name: 'authenticateSync, Fetch Request, bearer', run: (auth) => auth.authenticateSync(fetchBearer) },
  ]
}

function time(auth: Auth, run: Case['run'], iterations: number): number {
  const started = performance.now()
  for (let i = 0; i < iterations; i++) run(auth)
  return ((performance.now() - started) * 1e6) / iterations
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function one(path: string, index: number, iterations: number) {
  const core = (await import(pathToFileURL(path).href)) as Core
  const token = await tokenFor()
  const auth = core.createAuth({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET })
  await auth.verify(token)
  const { run } = cases(token)[index]!
  time(auth, run, 20_000) // the same warm-up whatever the count
  time(auth, run, iterations)
}

async function main() {
  if (process.argv[2] === '--one')
    return one(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]))
  const [oldPath, newPath, roundsArg, iterationsArg] = process.argv.slice(2)
  if (!oldPath || !newPath)
    throw new Error('usage: ab-credentials <old index.js> <new index.js> [rounds] [iterations]')
  const rounds = Number(roundsArg ?? 21)
  const iterations = Number(iterationsArg ?? 20_000)
  const load = async (path: string) => (await import(pathToFileURL(path).href)) as Core
  const builds = { old: await load(oldPath), new: await load(newPath) }
  const token = await tokenFor()
  const auths = {
    old: builds.old.createAuth({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET }),
    new: builds.new.createAuth({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET }),
  }
  for (const auth of Object.values(auths)) await auth.verify(token)
  for (const { name, run } of cases(token)) {
    for (const auth of Object.values(auths)) {
      const result = run(auth) as { status?: string } | undefined
      if (result?.status !== 'authenticated') throw new Error(`${name}: ${result?.status ?? 'undefined'}`)
      time(auth, run, iterations) // warm up
    }
    const samples = { old: [] as number[], new: [] as number[] }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? (['new', 'old'] as const) : (['old', 'new'] as const)
      for (const side of order) samples[side].push(time(auths[side], run, iterations))
    }
    const before = median(samples.old)
    const after = median(samples.new)
    const ratios = samples.new.map((value, index) => value / samples.old[index]!)
    console.log(
      `${name}: old ${before.toFixed(0)} ns, new ${after.toFixed(0)} ns, new/old ${(after / before).toFixed(3)} (median of per-round ratios ${median(ratios).toFixed(3)})`,
    )
  }
}

await main()
