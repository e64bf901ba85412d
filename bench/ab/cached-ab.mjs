// Interleaved A/B micro-benchmark for issue 17's cached request path: a reused bearer token through
// Yoga + useAuth, tRPC + @portcullis/trpc, the 1,000-item `onDeny: 'null'` query and the
// @portcullis/http middlewares, each next to the same framework bare, all in one process.
//
// Usage (from the repository root, after `pnpm --filter @portcullis/bench build`):
//   mkdir -p /tmp/pc-main && git archive main packages | tar -x -C /tmp/pc-main
//   node bench/ab/cached-ab.mjs [--rounds 31] [--ms 60] [--only yoga,trpc,...] [main=/tmp/pc-main] branch=.
// Each `name=root` is a source tree (its packages/*/src are bundled by esbuild); frameworks and jose
// come from bench/node_modules, shared by every tree. The cases are timed by the bench's palindromic
// cycles (palindromic.mjs: `--rounds` cycles, slots of `--ms` of process CPU time), so warm-up and
// drift hit every case alike. Printed: ns/op medians, and per pair the median of the
// per-round ratios with its interquartile range, plus an A/A control (two instances of the bare
// framework), and "ours - bare" in µs: the CPU our code costs per request.
//
// CPU mode: `node bench/ab/cached-ab.mjs --profile <case> --ms 5000 branch=.` loops one case, for
// `node --cpu-prof` or `valgrind --tool=callgrind`.

import { rm } from 'node:fs/promises'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bundleTree } from './bundle.mjs'
import { cpuCalls, quantile, timeCases } from './palindromic.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const argv = process.argv.slice(2)
const flag = (name, fallback) => {
  const index = argv.indexOf(`--${name}`)
  return index === -1 ? fallback : argv.splice(index, 2)[1]
}
const rounds = Number(flag('rounds', 31))
const turnMs = Number(flag('ms', 60))
const only = flag('only', '')
const profile = flag('profile', '')
const fixedCalls = Number(flag('calls', 0))
const trees = argv.map((arg) => {
  const [name, root] = arg.includes('=') ? arg.split('=') : ['branch', arg]
  return { name, root: resolve(root) }
})
if (trees.length === 0) trees.push({ name: 'branch', root: resolve('.') })

/** Bundles one tree's packages under bench/node_modules and imports the bundle. */
async function load({ name, root }) {
  const file = await bundleTree(
    root,
    {
      core: '@portcullis/core',
      yoga: '@portcullis/yoga',
      trpc: '@portcullis/trpc',
      express: '@portcullis/http/express',
      fastify: '@portcullis/http/fastify',
      hono: '@portcullis/http/hono',
      next: '@portcullis/http/next',
    },
    join(here, '..', 'node_modules', '.cached-ab', `tree-${name}-${process.pid}.mjs`),
  )
  try {
    return await import(pathToFileURL(file).href)
  } finally {
    // Kept while profiling, so the profile's line numbers can be read against the bundle.
    if (!profile) await rm(file, { force: true })
  }
}

// Resolved from bench/node_modules (this file's folder is under bench/): one copy for every tree.
const { createSchema, createYoga } = await import('graphql-yoga')
const { initTRPC } = await import('@trpc/server')
const { fetchRequestHandler } = await import('@trpc/server/adapters/fetch')
const jose = await import('jose')
const { default: expressFactory } = await import('express')
const { default: Fastify } = await import('fastify')
const { Hono } = await import('hono')
const { NextRequest } = await import('next/server.js')

const ISSUER = 'https://id.example.com/'
const AUDIENCE = 'https://api.example.com'
const secret = new Uint8Array(32).map((_, index) => (index * 37 + 11) % 256)
const now = Math.floor(Date.now() / 1000)
// A realistic token (~600 characters, like an IdP's): a few claims beyond the registered ones.
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
const headers = { authorization }
const yogaOptions = { logging: false, landingPage: false, graphiql: false }
const guard = { scopes: ['read:reports'] }
const ITEMS = Array.from({ length: 1000 }, (_, index) => ({
  id: String(index),
  name: `item ${index}`,
  price: index * 1.5,
  cost: index * 0.9,
  supplier: `supplier ${index % 17}`,
}))
const scaleTypeDefs = (directive, prelude = '') => `${prelude}
  type Item { id: ID! name: String! price: Float! cost: Float ${directive} supplier: String ${directive} }
  type Query { items: [Item!]! }
`
const SCALE_URL = `http://127.0.0.1/graphql?query=${encodeURIComponent('{ items { id name price cost supplier } }')}`

function nodeCall(handler) {
  const socket = new Socket()
  return () =>
    new Promise((done) => {
      const req = new IncomingMessage(socket)
      req.method = 'GET'
      req.url = '/reports'
      req.rawHeaders = ['Host', '127.0.0.1', 'Authorization', authorization]
      req.headers = { host: '127.0.0.1', authorization }
      const res = new ServerResponse(req)
      res.end = (chunk) => {
        done(String(chunk ?? ''))
        return res
      }
      handler(req, res)
    })
}

/** The bare frameworks: the ceiling each of ours is compared with (two of each, for A/A). */
async function bareCases(copy) {
  const yoga = createYoga({
    ...yogaOptions,
    schema: createSchema({
      typeDefs: 'type Query { me: String }',
      resolvers: { Query: { me: () => 'alice' } },
    }),
  })
  const t = initTRPC.create()
  const router = t.router({ me: t.procedure.query(() => 'alice') })
  // The floors: what any auth layer pays the framework before doing any work of its own. Yoga: a
  // plugin with synchronous onContextBuilding and onExecute hooks. tRPC: a context factory and one
  // pass-through middleware.
  const identity = { subject: 'alice' }
  const floorPlugin = {
    onContextBuilding: ({ extendContext }) => extendContext({ identity }),
    onExecute: () => {},
  }
  const yogaFloor = createYoga({
    ...yogaOptions,
    schema: createSchema({
      typeDefs: 'type Query { me: String }',
      resolvers: { Query: { me: (_, __, ctx) => ctx.identity.subject } },
    }),
    plugins: [floorPlugin],
  })
  const tf = initTRPC.context().create()
  const floorRouter = tf.router({
    me: tf.procedure.use(({ next }) => next()).query(({ ctx }) => ctx.identity.subject),
  })
  const floorContext = async () => ({ identity })
  const scale = createYoga({
    ...yogaOptions,
    schema: createSchema({ typeDefs: scaleTypeDefs(''), resolvers: { Query: { items: () => ITEMS } } }),
  })
  const hono = new Hono().get('/reports', (c) => c.json({ subject: 'alice' }))
  const fastify = Fastify()
  fastify.get('/reports', async () => ({ subject: 'alice' }))
  await fastify.ready()
  const app = expressFactory().get('/reports', (_req, res) => {
    res.json({ subject: 'alice' })
  })
  const context = { params: Promise.resolve({}) }
  const nextBare = async (_request, _context) => Response.json({ subject: 'alice' })
  // Floors for the middlewares: the same layers (a middleware that sets the identity, a guard that
  // passes), doing no auth work.
  const honoFloor = new Hono()
    .use(async (c, next) => {
      c.set('identity', identity)
      await next()
    })
    .get(
      '/reports',
      async (_c, next) => next(),
      (c) => c.json({ subject: c.var.identity.subject }),
    )
  const fastifyFloor = Fastify()
  fastifyFloor.decorateRequest('identity', null)
  fastifyFloor.addHook('onRequest', (request, _reply, done) => {
    request.identity = identity
    done()
  })
  fastifyFloor.get('/reports', { preHandler: (_request, _reply, done) => done() }, async (request) => ({
    subject: request.identity.subject,
  }))
  await fastifyFloor.ready()
  const expressFloor = expressFactory()
    .use((req, _res, next) => {
      req.identity = identity
      next()
    })
    .get(
      '/reports',
      (_req, _res, next) => next(),
      (req, res) => {
        res.json({ subject: req.identity.subject })
      },
    )
  const nextFloor = async (request, routeContext) =>
    (async (_request, { identity: who }) => Response.json({ subject: who.subject }))(request, {
      ...routeContext,
      identity,
    })
  return {
    [`yoga bare${copy}`]: async () =>
      (await yoga.fetch('http://127.0.0.1/graphql?query={me}', { headers })).text(),
    [`trpc bare${copy}`]: async () =>
      (
        await fetchRequestHandler({
          endpoint: '/trpc',
          req: new Request('http://127.0.0.1/trpc/me', { headers }),
          router,
        })
      ).text(),
    [`yoga floor${copy}`]: async () =>
      (await yogaFloor.fetch('http://127.0.0.1/graphql?query={me}', { headers })).text(),
    [`trpc floor${copy}`]: async () =>
      (
        await fetchRequestHandler({
          endpoint: '/trpc',
          req: new Request('http://127.0.0.1/trpc/me', { headers }),
          router: floorRouter,
          createContext: floorContext,
        })
      ).text(),
    [`scale bare${copy}`]: async () => (await scale.fetch(SCALE_URL, { headers })).text(),
    [`hono bare${copy}`]: async () =>
      (await hono.fetch(new Request('http://127.0.0.1/reports', { headers }))).text(),
    [`fastify bare${copy}`]: async () => (await fastify.inject({ url: '/reports', headers })).body,
    [`next bare${copy}`]: async () =>
      (await nextBare(new NextRequest('http://127.0.0.1/reports', { headers }), context)).text(),
    [`express bare${copy}`]: nodeCall((req, res) => app(req, res)),
    [`hono floor${copy}`]: async () =>
      (await honoFloor.fetch(new Request('http://127.0.0.1/reports', { headers }))).text(),
    [`fastify floor${copy}`]: async () => (await fastifyFloor.inject({ url: '/reports', headers })).body,
    [`next floor${copy}`]: async () =>
      (await nextFloor(new NextRequest('http://127.0.0.1/reports', { headers }), context)).text(),
    [`express floor${copy}`]: nodeCall((req, res) => expressFloor(req, res)),
  }
}

/** One tree's Portcullis on each framework, with one cached HS256 bearer token. */
async function oursCases(lib, name) {
  const { core, yoga: y, trpc, express, fastify: f, hono: h, next } = lib
  const auth = () => core.createAuth({ issuer: ISSUER, audience: AUDIENCE, secret })
  const a = auth()
  // Cached as a bearer token, as the first request of a client caches it.
  await a.authenticate(headers)
  const fetchRequest = new Request('http://127.0.0.1/graphql', { headers })
  // What a browser sends: Node keeps the raw lines, which core reads (repeated headers stay apart).
  const lines = [
    ['Host', '127.0.0.1'],
    ['Connection', 'keep-alive'],
    [
      'User-Agent',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    ],
    ['Accept', 'application/json'],
    ['Accept-Language', 'en-US,en;q=0.9'],
    ['Accept-Encoding', 'gzip, deflate, br'],
    ['Content-Type', 'application/json'],
    ['Origin', 'https://app.example.com'],
    ['Referer', 'https://app.example.com/'],
    ['Sec-Fetch-Dest', 'empty'],
    ['Sec-Fetch-Mode', 'cors'],
    ['Sec-Fetch-Site', 'same-site'],
    ['X-Request-Id', '0f8e1c2a-5b7d-4e3f-9a6b-1c2d3e4f5a6b'],
    ['Authorization', authorization],
  ]
  const browserLike = {
    rawHeaders: lines.flat(),
    headers: Object.fromEntries(lines.map(([key, value]) => [key.toLowerCase(), value])),
  }
  const yoga = createYoga({
    ...yogaOptions,
    schema: createSchema({
      typeDefs: `${y.authDirectiveTypeDefs}\ntype Query { me: String @auth }`,
      resolvers: { Query: { me: (_, __, ctx) => ctx.identity?.subject } },
    }),
    plugins: [y.useAuth({ auth: auth() })],
  })
  const createContext = trpc.createAuthContext(auth())
  const t = initTRPC.context().meta().create()
  const { protectedProcedure } = trpc.createAuthProcedures(t)
  const router = t.router({ me: protectedProcedure.query(({ ctx }) => ctx.identity.subject) })
  const scale = (onDeny) =>
    createYoga({
      ...yogaOptions,
      schema: createSchema({
        typeDefs: scaleTypeDefs('@auth(scopes: ["read:reports"])', y.authDirectiveTypeDefs),
        resolvers: { Query: { items: () => ITEMS } },
      }),
      plugins: [y.useAuth({ auth: auth(), onDeny })],
    })
  const scaleReject = scale('reject')
  const scaleNull = scale('null')
  const hono = new Hono()
    .use(h.authMiddleware(auth()))
    .get('/reports', h.requireAuth(guard), (c) => c.json({ subject: c.var.identity.subject }))
  const fastify = Fastify()
  await fastify.register(f.fastifyAuth, { auth: auth() })
  fastify.get('/reports', { preHandler: f.requireAuth(guard) }, async (request) => ({
    subject: request.identity?.subject,
  }))
  await fastify.ready()
  const app = expressFactory()
    .use(express.authMiddleware(auth()))
    .get('/reports', express.requireAuth(guard), (req, res) => {
      res.json({ subject: req.identity?.subject })
    })
  const nextGet = next.withAuth(
    auth(),
    (_request, { identity }) => Response.json({ subject: identity.subject }),
    guard,
  )
  const context = { params: Promise.resolve({}) }
  return {
    [`core authenticateSync (Request) ${name}`]: () => a.authenticateSync(fetchRequest),
    [`core authenticateSync (record) ${name}`]: () => a.authenticateSync(headers),
    [`core authenticateSync (IncomingMessage, 14 headers) ${name}`]: () => a.authenticateSync(browserLike),
    [`yoga ours ${name}`]: async () =>
      (await yoga.fetch('http://127.0.0.1/graphql?query={me}', { headers })).text(),
    [`trpc ours ${name}`]: async () =>
      (
        await fetchRequestHandler({
          endpoint: '/trpc',
          req: new Request('http://127.0.0.1/trpc/me', { headers }),
          router,
          createContext,
        })
      ).text(),
    [`scale reject ${name}`]: async () => (await scaleReject.fetch(SCALE_URL, { headers })).text(),
    [`scale null ${name}`]: async () => (await scaleNull.fetch(SCALE_URL, { headers })).text(),
    [`hono ours ${name}`]: async () =>
      (await hono.fetch(new Request('http://127.0.0.1/reports', { headers }))).text(),
    [`fastify ours ${name}`]: async () => (await fastify.inject({ url: '/reports', headers })).body,
    [`next ours ${name}`]: async () =>
      (await nextGet(new NextRequest('http://127.0.0.1/reports', { headers }), context)).text(),
    [`express ours ${name}`]: nodeCall((req, res) => app(req, res)),
  }
}

/** Runs `fn` for about `ms` of CPU time (a --profile loop): ns of CPU per call. */
async function turn(fn, ms) {
  let calls = 0
  let cpu = 0
  while (cpu < ms * 1000) {
    cpu += await cpuCalls(fn, 256)
    calls += 256
  }
  turn.calls = calls
  return (cpu * 1000) / calls
}

const libs = []
for (const tree of trees) libs.push({ ...tree, lib: await load(tree) })
let cases = { ...(await bareCases('')), ...(await bareCases(' (A/A)')) }
for (const { name, lib } of libs) Object.assign(cases, await oursCases(lib, name))
// Only the chosen cases run at all: a call site that saw every framework's request type would be
// polymorphic, as it never is in an app that uses one framework.
const groups = only ? only.split(',') : undefined
if (groups)
  cases = Object.fromEntries(
    Object.entries(cases).filter(([label]) => groups.some((g) => label.startsWith(g))),
  )
// Check every answer before timing anything: a case that fails would time its error path.
for (const [label, fn] of Object.entries(cases)) {
  const body = await fn()
  const text = typeof body === 'string' ? body : JSON.stringify(body?.status)
  if (!/alice|authenticated|"items"/.test(text)) throw new Error(`${label} answered ${text.slice(0, 200)}`)
  if (label.startsWith('scale') && (text.includes('"errors"') || !text.includes('"cost":0.9')))
    throw new Error(`${label} denied: ${text.slice(0, 200)}`)
}

if (profile) {
  const fn = cases[profile]
  if (!fn) throw new Error(`no case "${profile}"; cases: ${Object.keys(cases).join(' | ')}`)
  if (fixedCalls > 0) {
    // A fixed number of calls, for instruction counts: run twice with two counts and subtract.
    for (let i = 0; i < fixedCalls; i++) await fn()
    process.exit(0)
  }
  const ns = await turn(fn, turnMs)
  console.log(`${profile}: ${ns.toFixed(0)} ns/op CPU, ${turn.calls} calls`)
  process.exit(0)
}

const labels = Object.keys(cases)
const samples = await timeCases(cases, { rounds, ms: turnMs })

const fmt = (ns) => (ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`)
console.log(
  `node ${process.version}, ${rounds} palindromic cycles x ${turnMs} ms CPU per case (palindromic.mjs)\n`,
)
console.log('| case | median CPU per op |')
console.log('| --- | --- |')
for (const label of labels) console.log(`| ${label} | ${fmt(quantile(samples[label], 0.5))} |`)

const pair = (a, b) => {
  if (!samples[a] || !samples[b]) return
  const ratios = samples[a].map((value, index) => value / samples[b][index])
  const deltas = samples[a].map((value, index) => value - samples[b][index])
  const r = (q) => quantile(ratios, q).toFixed(3)
  const d = (q) => (quantile(deltas, q) / 1000).toFixed(2)
  console.log(`| ${a} / ${b} | ${r(0.5)} | ${r(0.25)}-${r(0.75)} | ${d(0.5)} | ${d(0.25)}-${d(0.75)} |`)
}
console.log('\n| pair (CPU per op) | median ratio | IQR | median difference (µs) | IQR (µs) |')
console.log('| --- | --- | --- | --- | --- |')
for (const framework of ['yoga', 'trpc', 'scale', 'hono', 'fastify', 'next', 'express']) {
  pair(`${framework} bare (A/A)`, `${framework} bare`)
  pair(`${framework} floor`, `${framework} bare`)
  for (const { name } of libs) {
    pair(`${framework} ours ${name}`, `${framework} floor`)
    if (framework === 'scale') {
      pair(`scale reject ${name}`, 'scale bare')
      pair(`scale null ${name}`, 'scale bare')
      pair(`scale null ${name}`, `scale reject ${name}`)
    } else pair(`${framework} ours ${name}`, `${framework} bare`)
  }
  for (let i = 1; i < libs.length; i++)
    for (const kind of framework === 'scale' ? ['reject', 'null'] : ['ours'])
      pair(`${framework} ${kind} ${libs[i].name}`, `${framework} ${kind} ${libs[0].name}`)
}
for (let i = 1; i < libs.length; i++)
  for (const kind of ['Request', 'record', 'IncomingMessage, 14 headers'])
    pair(`core authenticateSync (${kind}) ${libs[i].name}`, `core authenticateSync (${kind}) ${libs[0].name}`)
await Promise.all([])
process.exit(0)
