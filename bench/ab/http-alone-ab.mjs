// Interleaved A/B of the @portcullis/http middleware code alone, without its framework (issue 17): two
// source trees' Express, Fastify, Hono and Next layers on stand-in request objects, one cached HS256 bearer,
// the bench's palindromic cycles (palindromic.mjs), medians of per-cycle differences. Usage (from the
// repository root, main unpacked as for cached-ab.mjs, after `pnpm --filter @portcullis/bench build`):
// node --expose-gc bench/ab/http-alone-ab.mjs [rounds=31] [ms=40]  (reads /tmp/pc-main and .)
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { bundleTree } from './bundle.mjs'
import { quantile, timeCases } from './palindromic.mjs'

const repo = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')
async function load(name, root) {
  const file = await bundleTree(
    root,
    {
      core: '@portcullis/core',
      express: '@portcullis/http/express',
      fastify: '@portcullis/http/fastify',
      hono: '@portcullis/http/hono',
      next: '@portcullis/http/next',
    },
    join(repo, 'bench', 'node_modules', '.cached-ab', `micro-${name}-${process.pid}.mjs`),
  )
  try {
    return await import(pathToFileURL(file).href)
  } finally {
    await rm(file, { force: true })
  }
}
const jose = await import(`${repo}/bench/node_modules/jose/dist/webapi/index.js`).catch(() => import('jose'))
const ISSUER = 'https://id.example.com/',
  AUDIENCE = 'https://api.example.com'
const secret = new Uint8Array(32).map((_, i) => (i * 37 + 11) % 256)
const now = Math.floor(Date.now() / 1000)
const token = await new jose.SignJWT({
  scope: 'read:reports write:reports openid profile email',
  roles: ['reader'],
  email: 'alice@example.com',
  name: 'Alice Example',
  azp: 'web-client-0123456789',
  sid: 'b5c1e0a4-6f5e-4a4e-9f61-0e3c2b8d7a91',
  org: { id: 'org_01HXYZ', name: 'Example Inc.' },
  nonce: 'n-0S6_WzA2Mj',
})
  .setProtectedHeader({ alg: 'HS256', kid: 'hs-1' })
  .setIssuer(ISSUER)
  .setAudience(AUDIENCE)
  .setSubject('alice')
  .setIssuedAt(now)
  .setExpirationTime(now + 3600)
  .sign(secret)
const authorization = `Bearer ${token}`
const guard = { scopes: ['read:reports'] }
const response = new Response('{"subject":"alice"}')
const noop = () => {}
async function cases(lib, name) {
  const auth = lib.core.createAuth({ issuer: ISSUER, audience: AUDIENCE, secret })
  await auth.authenticate({ authorization })
  const emw = lib.express.authMiddleware(auth),
    eg = lib.express.requireAuth(guard)
  let hook
  lib.fastify.fastifyAuth(
    {
      decorateRequest: noop,
      addHook: (_n, fn) => {
        hook = fn
      },
    },
    { auth },
    noop,
  )
  const fg = lib.fastify.requireAuth(guard)
  const hmw = lib.hono.authMiddleware(auth),
    hg = lib.hono.requireAuth(guard)
  const nget = lib.next.withAuth(auth, () => response, guard)
  const ctx = { params: Promise.resolve({}) }
  const nodeReq = () => ({
    method: 'GET',
    url: '/reports',
    rawHeaders: ['Host', '127.0.0.1', 'Authorization', authorization],
    headers: { host: '127.0.0.1', authorization },
  })
  let seen = 0
  const timed = {
    [`express ${name}`]: () => {
      const req = nodeReq()
      emw(req, {}, () =>
        eg(req, {}, () => {
          seen++
        }),
      )
    },
    [`fastify ${name}`]: () => {
      const request = { raw: nodeReq(), identity: null }
      hook(request, {}, () =>
        fg(request, {}, () => {
          seen++
        }),
      )
    },
    [`hono ${name}`]: async () => {
      const c = {
        req: { raw: new Request('http://127.0.0.1/reports', { headers: { authorization } }) },
        set(_k, v) {
          this.v = v
        },
      }
      await hmw(c, () =>
        hg(c, async () => {
          seen++
        }),
      )
    },
    [`next ${name}`]: async () => {
      await nget(new Request('http://127.0.0.1/reports', { headers: { authorization } }), ctx)
    },
  }
  // Every layer must pass the request on (a guard that refused would time its error path).
  for (const fn of Object.values(timed)) await fn()
  if (seen !== 3) throw new Error(`${name}: a guard refused the cached token`)
  return timed
}
// Floors: the same per-request objects, no auth work.
const floors = {
  'express floor': () => {
    const req = {
      method: 'GET',
      url: '/reports',
      rawHeaders: ['Host', '127.0.0.1', 'Authorization', authorization],
      headers: { host: '127.0.0.1', authorization },
    }
    req.identity = {}
  },
  'fastify floor': () => {
    const request = {
      raw: {
        method: 'GET',
        url: '/reports',
        rawHeaders: ['Host', '127.0.0.1', 'Authorization', authorization],
        headers: { host: '127.0.0.1', authorization },
      },
      identity: null,
    }
    request.identity = {}
  },
  'hono floor': async () => {
    new Request('http://127.0.0.1/reports', { headers: { authorization } })
    await (async () => {})()
  },
  'next floor': async () => {
    new Request('http://127.0.0.1/reports', { headers: { authorization } })
    await (async () => response)()
  },
}
const all = {
  ...floors,
  ...(await cases(await load('main', process.env.MAIN ?? '/tmp/pc-main'), 'main')),
  ...(await cases(await load('branch', repo), 'branch')),
}
const q = quantile
const rounds = Number(process.argv[2] ?? 31),
  ms = Number(process.argv[3] ?? 40)
for (const fw of ['express', 'fastify', 'hono', 'next']) {
  const labels = [`${fw} floor`, `${fw} main`, `${fw} branch`]
  const s = await timeCases(Object.fromEntries(labels.map((l) => [l, all[l]])), { rounds, ms })
  const med = (l) => q(s[l], 0.5)
  const d = (a, b) => {
    const x = s[a].map((v, i) => v - s[b][i])
    return `${(q(x, 0.5)).toFixed(0)} ns (IQR ${q(x, 0.25).toFixed(0)}..${q(x, 0.75).toFixed(0)})`
  }
  console.log(
    `${fw}: floor ${med(labels[0]).toFixed(0)} ns, main ${med(labels[1]).toFixed(0)} ns, branch ${med(labels[2]).toFixed(0)} ns | main-floor ${d(labels[1], labels[0])} | branch-floor ${d(labels[2], labels[0])} | branch-main ${d(labels[2], labels[1])}`,
  )
}
process.exit(0)
