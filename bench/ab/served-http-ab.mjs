// Served A/B of two source trees' adapter on one framework (issue 17; @portcullis/http on Express,
// Fastify or Hono, or @portcullis/yoga's `useAuth` with `@auth` on Yoga): the bare app, a second bare
// process (A/A), the floor (the same hooks or layers passing through) and, from tree A and from tree B,
// the app behind `authMiddleware` and `requireAuth({ scopes })` (or `useAuth`); each in a process of its own on 127.0.0.1
// (pinned to CPU 1 where `taskset` is, the load client on CPU 0), loaded by the bench's raw keep-alive
// client (`src/http/client.ts`) with one cached HS256 bearer token. Server CPU time per request
// (`process.cpuUsage()` of the server, with its system share printed apart) in palindromic rounds; medians of per-round differences and
// capacity ratios with their IQR. Every answer is checked, byte for byte.
//
// Usage, from the repository root, after `pnpm --filter @portcullis/bench build`:
//   mkdir -p /tmp/pc-main && git archive main packages | tar -x -C /tmp/pc-main
//   node bench/ab/served-http-ab.mjs --framework express [--rounds 21] [--requests 4000] main=/tmp/pc-main branch=.
// Each `name=root` is a source tree; its core and http sources are bundled by esbuild (frameworks and
// jose come from bench/node_modules, shared by every tree).
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bundleTree } from './bundle.mjs'

const here = dirname(fileURLToPath(import.meta.url))
// The bench's issuer, audience and HS256 key (src/tokens.ts: the same secret in every process).
const { AUDIENCE, ISSUER, keyMaterial, signToken } = await import(
  pathToFileURL(join(here, '..', 'dist', 'tokens.js')).href
)
const material = await keyMaterial('HS256')
const BODY = '{"subject":"alice"}'
const FRAMEWORKS = ['express', 'fastify', 'hono', 'yoga']
/** What each framework's route answers: Yoga's is GraphQL's `{ me }`. */
const ROUTES = { yoga: ['/graphql?query=%7Bme%7D', '{"data":{"me":"alice"}}'] }

/** A server process: `--serve <framework> <bare|floor|bundle file>`; prints its port, answers `cpu` and `stop` on stdin. */
async function serve(framework, what) {
  const guardOptions = { scopes: ['read:reports'] }
  const lib = what === 'bare' || what === 'floor' ? undefined : await import(pathToFileURL(what).href)
  const auth = lib?.core.createAuth({ issuer: ISSUER, audience: AUDIENCE, secret: material.secret })
  let server
  if (framework === 'express') {
    const { default: express } = await import('express')
    const pass = (_req, _res, next) => next()
    const app = express()
    if (lib) app.use(lib.express.authMiddleware(auth))
    else if (what === 'floor') app.use(pass)
    const layer = lib ? lib.express.requireAuth(guardOptions) : pass
    app.get('/reports', ...(what === 'bare' ? [] : [layer]), (req, res) => {
      res.json({ subject: lib ? req.identity?.subject : 'alice' })
    })
    server = createServer(app)
    server.keepAliveTimeout = 60_000
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
  } else if (framework === 'fastify') {
    const { default: Fastify } = await import('fastify')
    const app = Fastify({ keepAliveTimeout: 60_000 })
    if (lib) {
      await app.register(lib.fastify.fastifyAuth, { auth })
      app.get('/reports', { preHandler: lib.fastify.requireAuth(guardOptions) }, async (request) => ({
        subject: request.identity?.subject,
      }))
    } else if (what === 'floor') {
      app.addHook('onRequest', (_request, _reply, done) => done())
      app.get('/reports', { preHandler: (_request, _reply, done) => done() }, async () => ({
        subject: 'alice',
      }))
    } else app.get('/reports', async () => ({ subject: 'alice' }))
    await app.listen({ port: 0, host: '127.0.0.1' })
    server = app.server
  } else if (framework === 'yoga') {
    // As section 2's apps (src/http/peers.ts, ours.ts): the floor is a plugin with the hooks
    // `useAuth` registers on Yoga (`onParams`, `onExecute`) doing nothing.
    const { createSchema, createYoga } = await import('graphql-yoga')
    const typeDefs = lib
      ? `${lib.yoga.authDirectiveTypeDefs}\ntype Query { me: String @auth }`
      : 'type Query { me: String }'
    const me = lib ? (_, __, ctx) => ctx.identity?.subject : () => 'alice'
    const plugins = lib
      ? [lib.yoga.useAuth({ auth })]
      : what === 'floor'
        ? [{ onParams() {}, onExecute() {} }]
        : []
    const yoga = createYoga({
      schema: createSchema({ typeDefs, resolvers: { Query: { me } } }),
      plugins,
      logging: false,
      landingPage: false,
      graphiql: false,
    })
    server = createServer(yoga)
    server.keepAliveTimeout = 60_000
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
  } else {
    const { Hono } = await import('hono')
    const { createAdaptorServer } = await import('@hono/node-server')
    const pass = (_c, next) => next()
    const app = lib
      ? new Hono()
          .use(lib.hono.authMiddleware(auth))
          .get('/reports', lib.hono.requireAuth(guardOptions), (c) =>
            c.json({ subject: c.var.identity.subject }),
          )
      : what === 'floor'
        ? new Hono().use(pass).get('/reports', pass, (c) => c.json({ subject: 'alice' }))
        : new Hono().get('/reports', (c) => c.json({ subject: 'alice' }))
    server = createAdaptorServer({ fetch: app.fetch })
    server.keepAliveTimeout = 60_000
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
  }
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`)
  process.stdin.setEncoding('utf8')
  let buffered = ''
  process.stdin.on('data', (chunk) => {
    buffered += chunk
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const command = buffered.slice(0, end)
      buffered = buffered.slice(end + 1)
      if (command === 'cpu') {
        globalThis.gc?.({ type: 'minor' })
        const { user, system } = process.cpuUsage()
        process.stdout.write(`${JSON.stringify({ user, system })}\n`)
      } else if (command === 'stop') {
        server.closeAllConnections()
        server.close(() => process.exit(0))
      }
    }
  })
  process.stdin.on('end', () => process.exit(0))
}

/** Bundles one tree's core and http sources into `dir`. */
const bundle = ({ name, root }, dir) =>
  bundleTree(
    root,
    {
      core: '@portcullis/core',
      express: '@portcullis/http/express',
      fastify: '@portcullis/http/fastify',
      hono: '@portcullis/http/hono',
      yoga: '@portcullis/yoga',
    },
    join(dir, `tree-${name}.mjs`),
  )

/** Starts a server process (pinned to CPU 1 when it can be) and resolves with its line reader. */
async function start(name, framework, what) {
  const pinned = spawnSync('taskset', ['-c', '1', 'true'], { stdio: 'ignore' }).status === 0
  const args = ['--expose-gc', fileURLToPath(import.meta.url), '--serve', framework, what]
  const child = pinned
    ? spawn('taskset', ['-c', '1', process.execPath, ...args], {
        stdio: ['pipe', 'pipe', 'inherit'],
        cwd: here,
      })
    : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], cwd: here })
  child.stdout.setEncoding('utf8')
  const waiting = []
  let buffered = ''
  child.stdout.on('data', (chunk) => {
    buffered += chunk
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      waiting.shift()?.(JSON.parse(buffered.slice(0, end)))
      buffered = buffered.slice(end + 1)
    }
  })
  const reply = () => new Promise((done) => waiting.push(done))
  const { port } = await reply()
  return {
    name,
    child,
    url: `http://127.0.0.1:${port}${ROUTES[framework]?.[0] ?? '/reports'}`,
    /** User and system CPU time the process has used so far, in microseconds. */
    async cpu() {
      const answer = reply()
      child.stdin.write('cpu\n')
      return answer
    },
    stop() {
      child.stdin.end('stop\n')
      return child.exitCode === null ? once(child, 'exit') : undefined
    },
  }
}

async function compare() {
  const argv = process.argv.slice(2)
  const flag = (name, fallback) => {
    const index = argv.indexOf(`--${name}`)
    return index === -1 ? fallback : argv.splice(index, 2)[1]
  }
  const framework = flag('framework', 'express')
  const rounds = Number(flag('rounds', 21))
  const perSlot = Number(flag('requests', 4000))
  if (!FRAMEWORKS.includes(framework)) throw new Error(`--framework: one of ${FRAMEWORKS.join(', ')}`)
  const trees = argv.map((arg) => {
    const [name, root] = arg.split('=')
    return { name, root: resolve(root) }
  })
  if (trees.length !== 2 || trees.some((tree) => !tree.root))
    throw new Error('give two trees: A=<root> B=<root>')
  const { keepAliveClient } = await import(pathToFileURL(join(here, '..', 'dist', 'http', 'client.js')).href)
  const token = await signToken(material)
  const staging = join(here, '..', 'node_modules', '.served-ab', String(process.pid))
  await mkdir(staging, { recursive: true })
  const servers = []
  try {
    const variants = [
      ['bare', 'bare'],
      ['bare (A/A)', 'bare'],
      ['floor', 'floor'],
    ]
    for (const tree of trees) variants.push([tree.name, await bundle(tree, staging)])
    for (const [name, what] of variants) servers.push(await start(name, framework, what))
    const headers = { authorization: `Bearer ${token}` }
    for (const server of servers) {
      server.client = keepAliveClient(server.url, headers, 10)
      const refused = await fetch(server.url)
      if (server.name.startsWith('bare') || server.name === 'floor') continue
      if (refused.status !== 401) throw new Error(`${server.name}: ${refused.status} without a token`)
    }
    const body = ROUTES[framework]?.[1] ?? BODY
    /** Server CPU µs per request over `count` requests: [user + system, system]. */
    const slot = async (server, count) => {
      const before = await server.cpu()
      const failures = await server.client.run(count, body)
      if (failures > 0) throw new Error(`${server.name}: ${failures} wrong answers`)
      const after = await server.cpu()
      const system = (after.system - before.system) / count
      return [(after.user - before.user) / count + system, system]
    }
    for (const server of servers) await slot(server, perSlot * 2)
    const costs = new Map(servers.map((server) => [server.name, []]))
    const systems = new Map(servers.map((server) => [server.name, []]))
    for (let round = 0; round < rounds; round++) {
      const forward = servers.map((_, index) => servers[(index + round) % servers.length])
      const spent = new Map()
      for (const server of [...forward, ...[...forward].reverse()]) {
        const [cpu, system] = await slot(server, perSlot >> 1)
        const [total, kernel] = spent.get(server.name) ?? [0, 0]
        spent.set(server.name, [total + cpu / 2, kernel + system / 2])
      }
      for (const [name, [total, kernel]] of spent) {
        costs.get(name).push(total)
        systems.get(name).push(kernel)
      }
    }
    const q = (values, p) => [...values].sort((x, y) => x - y)[Math.floor(p * (values.length - 1))]
    const show = (label, values, unit = ' µs') =>
      console.log(
        `| ${label} | ${q(values, 0.5).toFixed(2)}${unit} | ${q(values, 0.25).toFixed(2)}..${q(values, 0.75).toFixed(2)} |`,
      )
    const diff = (x, y) => costs.get(x).map((value, index) => value - costs.get(y)[index])
    const capacity = (x) => costs.get('bare').map((value, index) => (100 * value) / costs.get(x)[index])
    const [a, b] = trees.map((tree) => tree.name)
    console.log(
      `${framework}, ${rounds} palindromic rounds of ${perSlot} requests per variant, 10 connections\n`,
    )
    console.log('| figure | median | IQR |\n| --- | --- | --- |')
    for (const [name, values] of costs) show(`${name}: server CPU per request`, values)
    for (const [name, values] of systems) show(`${name}: of it system time`, values)
    show('A/A: bare (A/A) - bare', diff('bare (A/A)', 'bare'))
    show('floor - bare', diff('floor', 'bare'))
    for (const name of [a, b]) show(`${name} - floor`, diff(name, 'floor'))
    show(`${b} - ${a}`, diff(b, a))
    for (const name of ['bare (A/A)', 'floor', a, b]) show(`${name}: capacity vs bare`, capacity(name), '%')
  } finally {
    for (const server of servers) server.client?.close()
    await Promise.all(servers.map((server) => server.stop()))
    await rm(staging, { recursive: true, force: true })
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3], process.argv[4])
else await compare()
