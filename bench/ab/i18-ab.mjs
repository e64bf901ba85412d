// Interleaved A/B micro-benchmark for issue 18 (RFC 9728 metadata, RFC 7662 introspection). Usage:
//   mkdir -p /tmp/before && git archive main packages/core/src | tar -x -C /tmp/before
//   node bench/ab/i18-ab.mjs /tmp/before/packages/core/src packages/core/src
// Both trees are bundled by esbuild and loaded in one process; rounds alternate A/B and B/A; medians
// of ns/op are printed. Rows marked "after only" measure a path that exists on one side alone.

import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from '../../packages/core/node_modules/esbuild/lib/main.js'

const [beforeSrc, afterSrc] = process.argv.slice(2).map((dir) => resolve(dir))
if (!beforeSrc || !afterSrc) throw new Error('usage: i18-ab.mjs <before src> <after src>')

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
  const file = join(tmpdir(), `portcullis-i18-${name}-${process.pid}.mjs`)
  const jose = pathToFileURL(resolve('packages/core/node_modules/jose/dist/webapi/index.js')).href
  await writeFile(file, result.outputFiles[0].text.replaceAll('"jose"', `"${jose}"`))
  return import(pathToFileURL(file).href)
}

const secret = 'a-shared-secret-of-at-least-32-bytes!!'
const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const exp = Math.floor(Date.now() / 1000) + 3600

async function hs256() {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const text = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${text({ alg: 'HS256' })}.${text({ iss: issuer, aud: audience, sub: 'alice', scope: 'read', exp })}`
  const signature = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input))
  return `${input}.${Buffer.from(signature).toString('base64url')}`
}

// A loopback introspection endpoint (hit once: afterwards the cache answers).
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ active: true, iss: issuer, aud: audience, sub: 'alice', scope: 'read', exp }))
})
await new Promise((done) => server.listen(0, '127.0.0.1', done))
const endpoint = `http://127.0.0.1:${server.address().port}/introspect`

async function cases(lib, after) {
  const jwt = await hs256()
  const plain = lib.createAuth({ issuer, audience, secret })
  const request = { authorization: `Bearer ${jwt}` }
  await plain.verify(jwt)
  const anonymous = {}
  const bad = { authorization: 'Bearer a.b.c' }
  const rows = {
    'cached JWT, authenticateSync (no new options)': () => plain.authenticateSync(request),
    'cached JWT, authenticate (no new options)': () => plain.authenticate(request),
    'bad token rejected (no new options)': () => plain.authenticate(bad),
  }
  if (!after) return rows
  const full = lib.createAuth({
    issuer,
    audience,
    secret,
    resource: { resource: 'https://api.example.com/mcp' },
    introspection: { endpoint, clientId: 'api', clientSecret: 'the-client-secret' },
  })
  await full.verify(jwt)
  await full.verify('opaque-token-0123456789')
  return {
    ...rows,
    'cached JWT, authenticateSync (resource + introspection configured)': () =>
      full.authenticateSync(request),
    'bad token rejected + resource_metadata challenge': () =>
      full.authenticate(bad).then((r) => r.error.wwwAuthenticate),
    'token_missing through auth.challenge': () =>
      full.challenge(new lib.AuthError('token_missing', 'x')).wwwAuthenticate,
    'opaque token, introspection cache hit': () =>
      full.authenticate({ authorization: 'Bearer opaque-token-0123456789' }),
    'metadata answer': () =>
      lib.resourceMetadataAnswer(full, 'GET', '/.well-known/oauth-protected-resource/mcp'),
    'anonymous (no credentials)': () => full.authenticate(anonymous),
  }
}

async function time(run, ms) {
  let count = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(ms * 1e6)
  let now = start
  while (now < end) {
    for (let i = 0; i < 16; i++) await run()
    count += 16
    now = process.hrtime.bigint()
  }
  return Number(now - start) / count
}

// For instruction counts: `SIDE=before|after OP='<operation>' COUNT=n` runs one operation n times
// and exits (valgrind --tool=callgrind node bench/ab/i18-ab.mjs ...; compare COUNT=0 and n).
if (process.env.SIDE) {
  const after = process.env.SIDE === 'after'
  // FULL=1 adds the after-only rows; without it both sides set up the same objects.
  const side = await cases(
    await load(after ? afterSrc : beforeSrc, process.env.SIDE),
    after && process.env.FULL === '1',
  )
  const run = side[process.env.OP ?? '']
  if (!run) throw new Error(`OP must be one of: ${Object.keys(side).join(', ')}`)
  for (let i = 0; i < Number(process.env.COUNT ?? 1000); i++) await run()
  process.exit(0)
}

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]
const before = await cases(await load(beforeSrc, 'before'), false)
const after = await cases(await load(afterSrc, 'after'), true)
const rounds = Number(process.env.ROUNDS ?? 9)
const ms = Number(process.env.MS ?? 150)
console.log(`node ${process.version}, ${rounds} interleaved rounds of ${ms} ms per side; median ns/op`)
console.log(['operation', 'before (main)', 'after (i18)', 'after/before'].join(' | '))
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
server.close()
