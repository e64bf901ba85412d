// Interleaved same-process A/B of the cache-miss path (issue 17): `jose.jwtVerify` with a CryptoKey
// imported once against `createAuth({ cache: false }).verify(token)`, for core trees bundled by
// esbuild and loaded side by side. Usage, from the repository root:
//   mkdir -p /tmp/main && git archive main packages/core/src | tar -x -C /tmp/main
//   node bench/ab/miss.mjs /tmp/main/packages/core/src packages/core/src
// Options (environment): METRIC (cpu, the default, or wall), ROUNDS (default 31), MS (time per case per round, default 60), ALGS
// (comma-separated, default HS256,RS256,PS256,ES256,EdDSA).
// Each round runs the cases in palindromic order (jose, jose', A, B, B, A, jose', jose) so that a drift
// in machine load within a round falls evenly on every case; a per-round ratio to the round's jose
// time is taken, and the median with its interquartile range over the rounds is printed. "jose'" is a
// second jose case, the A/A control: its ratio shows what this machine can resolve.
// For callgrind: SIDE=<index of the tree, 0 or 1, or jose, or
// jose-jwk: jose with the key imported from the same JWK as ours> OP=<alg> COUNT=<n> runs n verifications of one side
// and nothing else (run twice with two counts and subtract, to cancel the set-up).
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from '../../packages/core/node_modules/esbuild/lib/main.js'

const trees = process.argv.slice(2).map((dir) => resolve(dir))
if (trees.length === 0) throw new Error('usage: miss.mjs <core src> [<core src> ...]')
const joseUrl = pathToFileURL(resolve('packages/core/node_modules/jose/dist/webapi/index.js')).href
const jose = await import(joseUrl)

async function load(src, name) {
  const result = await build({
    stdin: { contents: `export { createAuth } from '${src}/index.ts'`, resolveDir: src, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    external: ['jose'],
    nodePaths: [resolve('packages/core/node_modules')],
  })
  const file = join(tmpdir(), `portcullis-miss-${name}-${process.pid}.mjs`)
  await writeFile(file, result.outputFiles[0].text.replaceAll('"jose"', `"${joseUrl}"`))
  return import(pathToFileURL(file).href)
}

const ISSUER = 'https://id.example.com/'
const AUDIENCE = 'https://api.example.com'

// The same token shape as bench/src/tokens.ts: issuer, audience, subject, scopes, one hour.
async function material(alg) {
  const now = Math.floor(Date.now() / 1000)
  const claims = new jose.SignJWT({ scope: 'read:reports write:reports', roles: ['reader'] })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('alice')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
  if (alg === 'HS256') {
    const secret = new Uint8Array(32).map((_, index) => (index * 37 + 11) % 256)
    const verifyKey = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'verify',
    ])
    const token = await claims.setProtectedHeader({ alg }).sign(secret)
    return { token, verifyKey, config: { secret } }
  }
  const pair = await jose.generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await jose.exportJWK(pair.publicKey)), alg, kid: `${alg.toLowerCase()}-1` }
  const token = await claims.setProtectedHeader({ alg, kid: publicJwk.kid }).sign(pair.privateKey)
  return { token, verifyKey: pair.publicKey, config: { jwks: { keys: [publicJwk] } } }
}

const ALGS = (process.env.ALGS ?? 'HS256,RS256,PS256,ES256,EdDSA').split(',')
const ROUNDS = Number(process.env.ROUNDS ?? 31)
const MS = Number(process.env.MS ?? 60)
const libs = await Promise.all(trees.map((src, index) => load(src, String(index))))

async function casesFor(alg) {
  const { token, verifyKey, config } = await material(alg)
  const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] }
  const joseCase = () => jose.jwtVerify(token, verifyKey, options)
  // The same check with the key our side imports (from the JWK), for a control under callgrind.
  const jwkKey = config.jwks ? await jose.importJWK(config.jwks.keys[0], alg) : verifyKey
  const joseJwkCase = () => jose.jwtVerify(token, jwkKey, options)
  const ours = libs.map((lib) => {
    const auth = lib.createAuth({ issuer: ISSUER, audience: AUDIENCE, cache: false, ...config })
    return () => auth.verify(token)
  })
  // Refuse to time a rejection.
  await joseCase()
  for (const fn of ours) if ((await fn()).subject !== 'alice') throw new Error(`${alg}: verify failed`)
  return { joseCase, joseJwkCase, ours }
}

// CPU time (user + system, every thread of the process: WebCrypto runs on libuv's pool) or wall time.
const METRIC = process.env.METRIC ?? 'cpu'
const cpuNs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) * 1000
}

/** Mean ns per call of `fn` over about `ms` milliseconds of wall time, one call in flight. */
async function time(fn, ms) {
  let calls = 0
  const start = performance.now()
  const startCpu = cpuNs()
  const end = start + ms
  let now = start
  while (now < end) {
    for (let index = 0; index < 16; index++) await fn()
    calls += 16
    now = performance.now()
  }
  return METRIC === 'cpu' ? (cpuNs() - startCpu) / calls : ((now - start) * 1e6) / calls
}

const quantile = (sorted, q) => {
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low)
}
const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return { median: quantile(sorted, 0.5), q1: quantile(sorted, 0.25), q3: quantile(sorted, 0.75) }
}
const fmt = ({ median, q1, q3 }) => `${median.toFixed(3)} [${q1.toFixed(3)}-${q3.toFixed(3)}]`

if (process.env.SIDE !== undefined) {
  const { joseCase, joseJwkCase, ours } = await casesFor(process.env.OP ?? 'ES256')
  const side = process.env.SIDE
  const fn = side === 'jose' ? joseCase : side === 'jose-jwk' ? joseJwkCase : ours[Number(side)]
  const count = Number(process.env.COUNT ?? 1000)
  for (let index = 0; index < count; index++) await fn()
  process.exit(0)
}

console.log(
  `node ${process.version}, ${METRIC} time, ${ROUNDS} rounds x ${MS} ms per case, trees: ${trees.join(' | ')}`,
)
for (const alg of ALGS) {
  const { joseCase, ours } = await casesFor(alg)
  // Warm-up: JIT every path before the first timed round.
  for (const fn of [joseCase, ...ours]) await time(fn, MS)
  const control = []
  const ratios = ours.map(() => [])
  const joseNs = []
  const oursNs = ours.map(() => [])
  for (let round = 0; round < ROUNDS; round++) {
    const a1 = await time(joseCase, MS)
    const c1 = await time(joseCase, MS)
    const forward = []
    for (const fn of ours) forward.push(await time(fn, MS))
    const backward = []
    for (const fn of [...ours].reverse()) backward.unshift(await time(fn, MS))
    const c2 = await time(joseCase, MS)
    const a2 = await time(joseCase, MS)
    const base = (a1 + a2) / 2
    joseNs.push(base)
    control.push((c1 + c2) / 2 / base)
    ours.forEach((_, index) => {
      const ns = (forward[index] + backward[index]) / 2
      oursNs[index].push(ns)
      ratios[index].push(ns / base)
    })
  }
  const line = [
    `${alg}: jose ${summary(joseNs).median.toFixed(0)} ns`,
    `A/A ${fmt(summary(control))}`,
    ...ours.map(
      (_, index) =>
        `tree ${index}: ${summary(oursNs[index]).median.toFixed(0)} ns, ratio ${fmt(summary(ratios[index]))}`,
    ),
  ]
  console.log(line.join('; '))
}
