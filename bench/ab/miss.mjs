// Interleaved same-process A/B of the cache-miss path (issue 17): `jose.jwtVerify` with a CryptoKey
// imported once against `createAuth({ cache: false }).verify(token)`, for core trees bundled by
// esbuild and loaded side by side. Usage, from the repository root:
//   mkdir -p /tmp/main && git archive main packages/core/src | tar -x -C /tmp/main
//   node bench/ab/miss.mjs /tmp/main/packages/core/src packages/core/src
// Options (environment): ROUNDS (default 31), MS (CPU time per case per slot, default 60), ALGS
// (comma-separated, default HS256,RS256,PS256,ES256,EdDSA). Run after `pnpm --filter @portcullis/bench
// build`, with `node --expose-gc`: the cases are timed by the bench's palindromic cycles
// (palindromic.mjs: CPU time of the whole process, libuv's pool included); a per-cycle ratio to the
// cycle's jose time is taken, and the median with its interquartile range over the cycles is printed.
// "jose'" is a second jose case, the A/A control: its ratio shows what this machine can resolve.
// For callgrind: SIDE=<index of the tree, 0 or 1, or jose, or
// jose-jwk: jose with the key imported from the same JWK as ours> OP=<alg> COUNT=<n> runs n verifications of one side
// and nothing else (run twice with two counts and subtract, to cancel the set-up).
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from '../../packages/core/node_modules/esbuild/lib/main.js'
import { timeCases } from './palindromic.mjs'

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
  `node ${process.version}, CPU time, ${ROUNDS} palindromic cycles x ${MS} ms per case, trees: ${trees.join(' | ')}`,
)
for (const alg of ALGS) {
  const { joseCase, ours } = await casesFor(alg)
  // jose, jose again (the A/A control) and every tree, in the bench's palindromic cycles.
  const labels = ['jose', "jose'", ...ours.map((_, index) => `tree ${index}`)]
  const samples = await timeCases(
    Object.fromEntries(labels.map((label, index) => [label, [joseCase, joseCase, ...ours][index]])),
    {
      rounds: ROUNDS,
      ms: MS,
    },
  )
  const joseNs = samples.jose
  const control = samples["jose'"].map((value, index) => value / joseNs[index])
  const oursNs = ours.map((_, index) => samples[`tree ${index}`])
  const ratios = oursNs.map((values) => values.map((value, index) => value / joseNs[index]))
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
