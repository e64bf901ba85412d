// Interleaved A/B micro-benchmark for issue 18's claim shapes (scopes.claims, authorizedParties, the
// revoked hook, denyList). Usage:
//   mkdir -p /tmp/before && git archive main packages/core/src | tar -x -C /tmp/before
//   node bench/ab/claims-ab.mjs /tmp/before/packages/core/src packages/core/src
// Both trees are bundled by esbuild and loaded in one process; rounds alternate A/B and B/A; medians
// of ns/op are printed. Rows marked "after only" measure an option that exists on one side alone.
// Instruction counts: SIDE=before|after OP='<operation>' COUNT=n runs one operation n times and exits
// (valgrind --tool=callgrind node bench/ab/claims-ab.mjs <before> <after>; compare two COUNTs).

import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from '../../packages/core/node_modules/esbuild/lib/main.js'

const [beforeSrc, afterSrc] = process.argv.slice(2).map((dir) => resolve(dir))
if (!beforeSrc || !afterSrc) throw new Error('usage: claims-ab.mjs <before src> <after src>')

async function load(src, name) {
  const result = await build({
    stdin: { contents: `export * from '${src}/index.ts'`, resolveDir: src, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    external: ['jose'],
    nodePaths: [resolve('packages/core/node_modules')],
  })
  const file = join(tmpdir(), `portcullis-claims-${name}-${process.pid}.mjs`)
  const jose = pathToFileURL(resolve('packages/core/node_modules/jose/dist/webapi/index.js')).href
  await writeFile(file, result.outputFiles[0].text.replaceAll('"jose"', `"${jose}"`))
  return import(pathToFileURL(file).href)
}

const secret = 'a-shared-secret-of-at-least-32-bytes!!'
const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const exp = Math.floor(Date.now() / 1000) + 3600

async function hs256(claims) {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const text = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const payload = { iss: issuer, aud: audience, sub: 'alice', scope: 'read', exp, ...claims }
  const input = `${text({ alg: 'HS256' })}.${text(payload)}`
  const signature = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input))
  return `${input}.${Buffer.from(signature).toString('base64url')}`
}

async function cases(lib, after) {
  const jwt = await hs256({ jti: 'token-1', azp: 'web', permissions: ['read:reports', 'write:reports'] })
  const request = { authorization: `Bearer ${jwt}` }
  const plain = lib.createAuth({ issuer, audience, secret })
  const uncached = lib.createAuth({ issuer, audience, secret, cache: false })
  await plain.verify(jwt)
  const rows = {
    'cached JWT, authenticateSync (no new options)': () => plain.authenticateSync(request),
    'cached JWT, authenticate (no new options)': () => plain.authenticate(request),
    'uncached JWT, verify (no new options)': () => uncached.verify(jwt),
  }
  if (!after) return rows
  const make = async (options) => {
    const auth = lib.createAuth({ issuer, audience, secret, ...options })
    await auth.verify(jwt)
    return auth
  }
  const shapes = { scopes: { claims: ['scope', 'permissions'] }, authorizedParties: ['web'] }
  const configured = await make(shapes)
  const configuredUncached = lib.createAuth({ issuer, audience, secret, cache: false, ...shapes })
  const syncHook = await make({ revoked: () => false })
  const asyncHook = await make({ revoked: async () => false })
  const memoryDeny = await make({ revoked: lib.denyList({ store: lib.memoryStore() }).revoked })
  return {
    ...rows,
    'cached JWT, authenticateSync (scopes.claims + authorizedParties)': () =>
      configured.authenticateSync(request),
    'uncached JWT, verify (scopes.claims + authorizedParties)': () => configuredUncached.verify(jwt),
    'cached JWT, authenticateSync (sync revoked hook)': () => syncHook.authenticateSync(request),
    'cached JWT, authenticate (async revoked hook)': () => asyncHook.authenticate(request),
    'cached JWT, authenticate (denyList on memoryStore)': () => memoryDeny.authenticate(request),
  }
}

async function time(run, ms) {
  let count = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(ms * 1e6)
  let now = start
  while (now < end) {
    for (let i = 0; i < 16; i++) {
      const result = run()
      // Synchronous rows stay synchronous: an await would add a microtask turn to both sides.
      if (result && typeof result.then === 'function') await result
    }
    count += 16
    now = process.hrtime.bigint()
  }
  return Number(now - start) / count
}

if (process.env.SIDE) {
  const after = process.env.SIDE === 'after'
  const side = await cases(
    await load(after ? afterSrc : beforeSrc, process.env.SIDE),
    after && process.env.FULL === '1',
  )
  const run = side[process.env.OP ?? '']
  if (!run) throw new Error(`OP must be one of: ${Object.keys(side).join(', ')}`)
  for (let i = 0; i < Number(process.env.COUNT ?? 1000); i++) {
    const result = run()
    if (result && typeof result.then === 'function') await result
  }
  process.exit(0)
}

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]
const before = await cases(await load(beforeSrc, 'before'), false)
const after = await cases(await load(afterSrc, 'after'), true)
const rounds = Number(process.env.ROUNDS ?? 9)
const ms = Number(process.env.MS ?? 150)
console.log(`node ${process.version}, ${rounds} interleaved rounds of ${ms} ms per side; median ns/op`)
console.log(['operation', 'before', 'after', 'after/before'].join(' | '))
for (const name of Object.keys(after)) {
  const a = []
  const b = []
  const both = name in before
  for (let i = 0; i < 200; i++) {
    if (both) await before[name]()
    await after[name]()
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['a', 'b'] : ['b', 'a']
    for (const side of order) {
      if (side === 'a' && both) a.push(await time(before[name], ms))
      if (side === 'b') b.push(await time(after[name], ms))
    }
  }
  const mb = median(b)
  if (!both) console.log([name, '(after only)', Math.round(mb), ''].join(' | '))
  else console.log([name, Math.round(median(a)), Math.round(mb), (mb / median(a)).toFixed(2)].join(' | '))
}
