// Interleaved A/B micro-benchmark of the crypto paths that moved from node:crypto to WebCrypto
// (issue 14). Usage, from the repository root:
//   mkdir -p /tmp/before && git archive <before-commit> packages/core/src | tar -x -C /tmp/before
//   node bench/ab/webcrypto-ab.mjs /tmp/before/packages/core/src packages/core/src
// Both trees are bundled by esbuild and loaded in this one process; every round runs A then B (then
// B then A) for a fixed time each, and the medians of the per-operation costs are printed.
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from '../../packages/core/node_modules/esbuild/lib/main.js'

const [beforeSrc, afterSrc] = process.argv.slice(2).map((dir) => resolve(dir))
if (!beforeSrc || !afterSrc) throw new Error('usage: webcrypto-ab.mjs <before src> <after src>')

async function load(src, name) {
  const entry = `
    export { createAuth, createSessions, memoryStore } from '${src}/index.ts'
    export { sessionKeys } from '${src}/sessions/keys.ts'
    export { hashSecret, sealNext, openNext, newSecret } from '${src}/sessions/record.ts'
    export { decodeCanonical } from '${src}/internal/base64url.ts'
  `
  const result = await build({
    stdin: { contents: entry, resolveDir: src, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    external: ['jose'],
    nodePaths: [resolve('packages/core/node_modules')],
  })
  const file = join(tmpdir(), `portcullis-ab-${name}-${process.pid}.mjs`)
  await writeFile(
    file,
    result.outputFiles[0].text.replaceAll(
      '"jose"',
      `"${pathToFileURL(resolve('packages/core/node_modules/jose/dist/webapi/index.js')).href}"`,
    ),
  )
  return import(pathToFileURL(file).href)
}

const secret = 'a-session-secret-of-at-least-32-bytes'
const issuer = 'https://api.example.com'
const audience = issuer
const payload = {
  iss: issuer,
  aud: audience,
  sub: 'alice',
  sid: 'AAAAAAAAAAAAAAAAAAAAAA',
  iat: 1,
  exp: 4102444800,
}

async function cases(lib) {
  const sealed = lib.sessionKeys({ secret, sealed: true })
  const signed = lib.sessionKeys({ secret })
  const sealedToken = await sealed.issue(payload)
  const previous = lib.newSecret()
  const next = lib.newSecret()
  const grace = await lib.sealNext(previous, next)
  const sealedSessions = lib.createSessions({ secret, issuer, audience, sealed: true })
  const signedSessions = lib.createSessions({ secret, issuer, audience })
  const sealedAuth = lib.createAuth({ sessions: sealedSessions, cache: false })
  const signedAuth = lib.createAuth({ sessions: signedSessions, cache: false })
  const sealedIssued = await sealedSessions.issue({ subject: 'alice' })
  const signedIssued = await signedSessions.issue({ subject: 'alice' })
  const [header, body] = signedIssued.accessToken.split('.')
  // Bearer tokens from an IdP, uncached: the cache-miss path of every first request.
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
  const bearer = lib.createAuth({
    issuer,
    audience,
    keys: [{ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }],
    cache: false,
  })
  const hmac = lib.createAuth({ issuer, audience, secret, cache: false })
  const es256 = await sign(pair.privateKey, { alg: 'ES256', name: 'ECDSA', hash: 'SHA-256' })
  const hs256 = await sign(
    await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    ),
    { alg: 'HS256', name: 'HMAC' },
  )
  // Every timed verification must succeed: a rejection is cheaper and would flatter either side.
  await Promise.all([
    bearer.verify(es256),
    hmac.verify(hs256),
    sealedAuth.verify(sealedIssued.accessToken),
    signedAuth.verify(signedIssued.accessToken),
  ])
  return {
    'seal (sealed access token)': () => sealed.issue(payload),
    'unseal (sealed access token)': () => sealed.unseal(sealedToken),
    'HMAC sign (HS256 access token)': () => signed.issue(payload),
    'hash refresh secret (SHA-256)': () => lib.hashSecret(previous),
    'seal grace record (HKDF + AES-GCM)': () => lib.sealNext(previous, next),
    'open grace record (HKDF + AES-GCM)': () => lib.openNext(previous, grace),
    'base64url decode header+payload': () => {
      lib.decodeCanonical(header)
      lib.decodeCanonical(body)
    },
    'verify sealed session token (no cache)': () => sealedAuth.verify(sealedIssued.accessToken),
    'verify signed session token (no cache)': () => signedAuth.verify(signedIssued.accessToken),
    'verify bearer ES256, local key (no cache)': () => bearer.verify(es256),
    'verify bearer HS256, shared secret (no cache)': () => hmac.verify(hs256),
    'refresh a session (rotate)': async () => {
      const issued = await signedSessions.issue({ subject: 'bob' })
      await signedSessions.refresh(issued.refreshToken)
    },
  }
}

/** A compact JWS over `payload`, signed with WebCrypto (the same token for both sides). */
async function sign(key, { alg, ...params }) {
  const text = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${text({ alg })}.${text({ ...payload, sid: undefined })}`
  const signature = await crypto.subtle.sign(params, key, new TextEncoder().encode(input))
  return `${input}.${Buffer.from(signature).toString('base64url')}`
}

/** Nanoseconds per operation over `ms` milliseconds of back-to-back runs. */
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
// and exits (valgrind --tool=callgrind node bench/ab/webcrypto-ab.mjs ...; compare COUNT=0 and n).
if (process.env.SIDE) {
  const side = await cases(await load(process.env.SIDE === 'before' ? beforeSrc : afterSrc, process.env.SIDE))
  const run = side[process.env.OP ?? '']
  if (!run) throw new Error(`OP must be one of: ${Object.keys(side).join(', ')}`)
  for (let i = 0; i < Number(process.env.COUNT ?? 1000); i++) await run()
  process.exit(0)
}

const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]
const before = await cases(await load(beforeSrc, 'before'))
const after = await cases(await load(afterSrc, 'after'))
const rounds = Number(process.env.ROUNDS ?? 9)
const ms = Number(process.env.MS ?? 150)
console.log(`node ${process.version}, ${rounds} interleaved rounds of ${ms} ms per side; median ns/op`)
console.log(['operation', 'before (node:crypto)', 'after (WebCrypto)', 'after/before'].join(' | '))
for (const name of Object.keys(before)) {
  for (let i = 0; i < 200; i++) {
    await before[name]()
    await after[name]()
  }
  const a = []
  const b = []
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first, so neither always runs on a warmer (or busier) machine.
    const order = round % 2 === 0 ? [a, b] : [b, a]
    for (const side of order) side.push(await time(side === a ? before[name] : after[name], ms))
  }
  const [ma, mb] = [median(a), median(b)]
  console.log([name, Math.round(ma), Math.round(mb), (mb / ma).toFixed(2)].join(' | '))
}
