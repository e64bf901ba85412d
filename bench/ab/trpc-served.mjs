// tRPC served over HTTP (standalone adapter, one server process per variant), measured by what the
// server executes per request rather than by its CPU time, which this shared machine's load drowns.
//
// Usage (from the repository root):
//   mkdir -p /tmp/pc-main && git archive main packages | tar -x -C /tmp/pc-main
//   node bench/ab/trpc-served.mjs [--mode callgrind|prof|alone] [--variants bare,floor,ours] [--warm 3000]
//     [--n 1000] [--windows 3] [--connections 10] [--node-flags '...'] [--gc] [main=/tmp/pc-main] branch=.
//   Measured for bench/analysis-cached.md: --warm 2000 --n 500 --windows 5 (a variant takes 10-25 min
//   under valgrind on the shared machine); --mode prof --warm 2000 --n 20000 --windows 1;
//   --mode alone --rounds 15 --ms 30; --mode alone --calls 20000|50000 --only main|branch.
//
// Each `name=root` is a source tree (its packages/*/src bundled by esbuild; tRPC, jose and esbuild from
// bench/node_modules). Every variant answers `GET /me` with the same ES256 bearer token on every request
// (cached after the first), as bench/src/http's servers do, from a keep-alive client in this process:
//   bare        tRPC bare: no createContext, `t.procedure.query` (bench/src/http/peers.ts trpcBare)
//   floor       an async createContext and one middleware calling next({ ctx }) (trpcEmptyMiddleware)
//   ours        createAuthContext + protectedProcedure (bench/src/http/ours.ts trpcPortcullis)
//   ctx         diagnostic: the floor's async createContext alone, no middleware
//   mw          diagnostic: one pass-through middleware calling next() (no context override), no createContext
//   mwctx       diagnostic: the floor's middleware (next({ ctx })) without createContext
//   synctx      diagnostic: a sync createContext, one middleware calling next()
// Every answer is checked (status 200, the expected body), or the run stops.
//
// --mode callgrind (default): the server runs under `valgrind --tool=callgrind`, with Node's
// `--node-flags` (default: a fixed 16 MB semi-space, so the young generation does not resize between
// windows). After `--warm` requests, each of `--windows` windows is `callgrind_control --zero`, `--n`
// requests, `callgrind_control --dump`: the dump's total / n is that window's instructions per served
// request (start-up and warm-up never enter it). Every thread counts (V8's compiler and GC threads
// included); the kernel's work (sockets) does not. `--gc` forces a full GC before each window (not
// recommended: the heap shrinks and the next window pays 2-3x for scavenges).
// --mode alone: our context factory and middleware without tRPC or sockets (see alone() below), two
// trees A/B in CPU time; with `--calls N --only <tree|nothing>`, N calls of one case, for callgrind.
// --mode prof: the server runs with `node --cpu-prof`; after the warm-up, `--n` x `--windows` requests,
// then the profile's self time per function, in µs per request, for the frames over 0.5% of samples.

import { spawn, spawnSync } from 'node:child_process'
import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bundleTree } from './bundle.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const argv = process.argv.slice(2)
const flag = (name, fallback) => {
  const index = argv.indexOf(`--${name}`)
  return index === -1 ? fallback : argv.splice(index, 2)[1]
}

const EXPECTED = {
  bare: 'anonymous',
  floor: 'alice',
  ours: 'alice',
  ctx: 'alice',
  mw: 'anonymous',
  mwctx: 'alice',
  synctx: 'alice',
}

// ---- server (child) mode ------------------------------------------------------------------------
if (argv[0] === '--serve') {
  const [, variant, bundle] = argv
  const { initTRPC } = await import('@trpc/server')
  const { createHTTPServer } = await import('@trpc/server/adapters/standalone')
  const { core, trpc } = await import(pathToFileURL(bundle).href)
  const jwk = JSON.parse(process.env.TRPC_SERVED_JWK)
  const servers = {
    bare() {
      const t = initTRPC.create()
      return createHTTPServer({ router: t.router({ me: t.procedure.query(() => 'anonymous') }) })
    },
    floor() {
      const createContext = async () => ({ user: { sub: 'alice' } })
      const t = initTRPC.context().create()
      const procedure = t.procedure.use(({ ctx, next }) => next({ ctx: { user: ctx.user } }))
      return createHTTPServer({
        router: t.router({ me: procedure.query(({ ctx }) => ctx.user.sub) }),
        createContext,
      })
    },
    ours() {
      const auth = core.createAuth({
        issuer: 'https://id.example.com/',
        audience: 'https://api.example.com',
        jwks: { keys: [jwk] },
      })
      const createContext = trpc.createAuthContext(auth)
      const t = initTRPC.context().meta().create()
      const { protectedProcedure } = trpc.createAuthProcedures(t)
      const router = t.router({ me: protectedProcedure.query(({ ctx }) => ctx.identity.subject) })
      return createHTTPServer({ router, createContext })
    },
    ctx() {
      const createContext = async () => ({ user: { sub: 'alice' } })
      const t = initTRPC.context().create()
      return createHTTPServer({
        router: t.router({ me: t.procedure.query(({ ctx }) => ctx.user.sub) }),
        createContext,
      })
    },
    mw() {
      const t = initTRPC.create()
      const procedure = t.procedure.use(({ next }) => next())
      return createHTTPServer({ router: t.router({ me: procedure.query(() => 'anonymous') }) })
    },
    mwctx() {
      const t = initTRPC.create()
      const procedure = t.procedure.use(({ next }) => next({ ctx: { user: { sub: 'alice' } } }))
      return createHTTPServer({ router: t.router({ me: procedure.query(({ ctx }) => ctx.user.sub) }) })
    },
    synctx() {
      const createContext = () => ({ user: { sub: 'alice' } })
      const t = initTRPC.context().create()
      const procedure = t.procedure.use(({ next }) => next())
      return createHTTPServer({
        router: t.router({ me: procedure.query(({ ctx }) => ctx.user.sub) }),
        createContext,
      })
    },
  }
  const server = servers[variant]()
  server.keepAliveTimeout = 600_000
  server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`))
  // 'gc' collects the whole heap before a window, so no window pays for garbage of another; the
  // parent closes stdin to stop the server (exiting flushes a --cpu-prof profile).
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line !== 'gc') return
    globalThis.gc?.()
    process.stdout.write('GC\n')
  })
  process.stdin.on('end', () => {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  })
} else {
  await main()
}

// ---- parent mode ----------------------------------------------------------------------------------
async function main() {
  const mode = flag('mode', 'callgrind')
  const rounds = Number(flag('rounds', 31))
  const ms = Number(flag('ms', 40))
  const calls = Number(flag('calls', 0))
  const only = flag('only', '')
  const nodeFlags = flag('node-flags', '--min-semi-space-size=16 --max-semi-space-size=16')
    .split(' ')
    .filter(Boolean)
  const forceGc = argv.includes('--gc') && Boolean(argv.splice(argv.indexOf('--gc'), 1))
  const variants = flag('variants', 'bare,floor,ours').split(',')
  const warm = Number(flag('warm', 3000))
  const n = Number(flag('n', 1000))
  const windows = Number(flag('windows', 3))
  const connections = Number(flag('connections', 10))
  const trees = argv.map((arg) => {
    const [name, root] = arg.includes('=') ? arg.split('=') : ['branch', arg]
    return { name, root: resolve(root) }
  })
  if (trees.length === 0) trees.push({ name: 'branch', root: resolve('.') })
  if (mode === 'alone') return alone(trees, rounds, ms, calls, only)
  for (const variant of variants) if (!(variant in EXPECTED)) throw new Error(`unknown variant "${variant}"`)

  const jose = await import('jose')
  const pair = await jose.generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await jose.exportJWK(pair.publicKey)), alg: 'ES256', kid: 'es256-1' }
  const now = Math.floor(Date.now() / 1000)
  const token = await new jose.SignJWT({ scope: 'read:reports write:reports', roles: ['reader'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'es256-1' })
    .setIssuer('https://id.example.com/')
    .setAudience('https://api.example.com')
    .setSubject('alice')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(pair.privateKey)

  const work = join(tmpdir(), `trpc-served-${process.pid}`)
  await mkdir(work, { recursive: true })
  const bundles = new Map()
  for (const tree of trees) bundles.set(tree.name, await bundle(tree))
  console.log(
    `# tRPC served, ${mode}, Node ${process.version}, warm-up ${warm}, ${windows} x ${n} requests, ${connections} connections`,
  )
  const results = []
  try {
    // Only the variants with our code differ between trees: the others run once.
    for (const variant of variants)
      for (const tree of variant === 'ours' ? trees : trees.slice(0, 1)) {
        const label = variant === 'ours' && trees.length > 1 ? `${variant} (${tree.name})` : variant
        const figures = await measure({
          forceGc,
          nodeFlags,
          mode,
          variant,
          bundle: bundles.get(tree.name),
          jwk,
          token,
          warm,
          n,
          windows,
          connections,
          work,
          label,
        })
        results.push({ label, figures })
        console.log(`${label.padEnd(16)} ${figures.map(format).join('  ')}`)
      }
  } finally {
    await rm(work, { recursive: true, force: true })
    for (const file of bundles.values()) await rm(file, { force: true })
  }
  if (mode === 'callgrind') summarise(results)
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

function format(value) {
  return typeof value === 'number' ? Math.round(value).toLocaleString('en') : value
}

function summarise(results) {
  const of = (label) => results.find((result) => result.label === label)
  const bare = of('bare')
  if (!bare) return
  const base = median(bare.figures)
  console.log(`\ninstructions per request, median of windows, against bare (${format(base)}):`)
  for (const { label, figures } of results) {
    const value = median(figures)
    const spread = ((Math.max(...figures) - Math.min(...figures)) / value) * 100
    console.log(
      `${label.padEnd(16)} ${format(value).padStart(9)}  ${(value / base).toFixed(4)}  ${value >= base ? '+' : ''}${format(value - base).padStart(7)}  (windows spread ${spread.toFixed(1)}%)`,
    )
  }
  const floor = of('floor')
  if (floor)
    for (const { label, figures } of results.filter((result) => result.label.startsWith('ours')))
      console.log(
        `${label} - floor: ${format(median(figures) - median(floor.figures))} instructions per request`,
      )
}

// Under bench/node_modules, so the bundle's imports of jose and tRPC resolve from there.
const bundle = ({ name, root }) =>
  bundleTree(
    root,
    { core: '@portcullis/core', trpc: '@portcullis/trpc' },
    join(here, '..', 'node_modules', '.trpc-served', `tree-${name}-${process.pid}.mjs`),
  )

async function measure({
  forceGc,
  nodeFlags,
  mode,
  variant,
  bundle,
  jwk,
  token,
  warm,
  n,
  windows,
  connections,
  work,
  label,
}) {
  const dir = join(work, label.replace(/\W+/g, '-'))
  await mkdir(dir, { recursive: true })
  const script = fileURLToPath(import.meta.url)
  const [command, args] =
    mode === 'callgrind'
      ? [
          'valgrind',
          [
            '--tool=callgrind',
            `--callgrind-out-file=${join(dir, 'cg.out')}`,
            '--dump-line=no',
            '--compress-strings=no',
            process.execPath,
            '--expose-gc',
            ...nodeFlags,
            script,
            '--serve',
            variant,
            bundle,
          ],
        ]
      : [
          process.execPath,
          [
            '--expose-gc',
            ...nodeFlags,
            '--cpu-prof',
            `--cpu-prof-dir=${dir}`,
            script,
            '--serve',
            variant,
            bundle,
          ],
        ]
  const child = spawn(command, args, {
    cwd: here,
    env: { ...process.env, TRPC_SERVED_JWK: JSON.stringify(jwk) },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const exited = new Promise((done) => child.once('exit', done))
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  try {
    const lines = createInterface({ input: child.stdout })
    const waiting = []
    lines.on('line', (line) => waiting.shift()?.(line))
    const reply = (prefix) =>
      new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no answer from the server: ${stderr}`)), 300_000)
        waiting.push((line) => {
          clearTimeout(timer)
          if (line.startsWith(prefix)) done(line)
          else fail(new Error(`unexpected "${line}" from the server`))
        })
      })
    const died = new Promise((_, fail) =>
      child.once('exit', (code) => fail(new Error(`server exited (${code}): ${stderr}`))),
    )
    died.catch(() => {})
    const port = Number((await Promise.race([reply('PORT '), died])).slice(5))
    const collect = async () => {
      child.stdin.write('gc\n')
      await Promise.race([reply('GC'), died])
    }
    const load = (count) =>
      run(agent, `http://127.0.0.1:${port}/me`, token, EXPECTED[variant], count, connections)
    const started = Date.now()
    await load(warm)
    if (process.env.TRPC_SERVED_VERBOSE) console.error(`  ${label}: warm-up in ${Date.now() - started} ms`)
    const figures = []
    if (mode === 'callgrind') {
      for (let window = 0; window < windows; window++) {
        if (forceGc) await collect()
        control('--zero', child.pid)
        await load(n)
        control('--dump', child.pid)
        figures.push((await lastTotal(dir)) / n)
      }
    } else {
      await load(n * windows)
    }
    return mode === 'callgrind' ? figures : [`(profile: ${n * windows} requests)`]
  } finally {
    agent.destroy()
    child.stdin.end()
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    await exited
    clearTimeout(timer)
    if (mode === 'prof') await summariseProfile(dir, n * windows, label)
  }
}

function control(command, pid) {
  const result = spawnSync('callgrind_control', [command, String(pid)], {
    encoding: 'utf8',
    timeout: 120_000,
  })
  if (result.status !== 0) throw new Error(`callgrind_control failed: ${result.stderr || result.stdout}`)
}

async function lastTotal(dir) {
  const files = (await readdir(dir)).filter((file) => /^cg\.out\.\d+$/.test(file))
  const last = files.sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop())).pop()
  const text = await readFile(join(dir, last), 'utf8')
  const line = text.split('\n').find((item) => item.startsWith('totals:') || item.startsWith('summary:'))
  return Number(line.split(/\s+/)[1])
}

/** Sends `count` GETs, `connections` at a time; throws on any wrong status or body. */
async function run(agent, url, token, expected, count, connections) {
  let sent = 0
  const one = () =>
    new Promise((done, fail) => {
      const outgoing = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => {
          body += chunk
        })
        response.on('end', () => {
          const want = JSON.stringify({ result: { data: expected } })
          if (response.statusCode !== 200 || body !== want)
            fail(new Error(`wrong answer: ${response.statusCode} ${body.slice(0, 200)}`))
          else done()
        })
      })
      outgoing.setTimeout(120_000, () => outgoing.destroy(new Error('request timed out')))
      outgoing.on('error', fail)
      outgoing.end()
    })
  const worker = async () => {
    while (sent < count) {
      sent++
      await one()
    }
  }
  await Promise.all(Array.from({ length: Math.min(connections, count) }, worker))
}

async function summariseProfile(dir, requests, label) {
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'))
  if (!file) return
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8'))
  const interval = (profile.endTime - profile.startTime) / profile.samples.length
  const self = new Map()
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame
    const where = url ? `${url.split('/').pop()}:${lineNumber + 1}` : ''
    const key = `${functionName || '(anonymous)'} ${where}`
    self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0))
  }
  const total = profile.samples.length
  // Busy samples by where the code lives: ours (the bundle), tRPC, the rest (Node, undici, V8).
  const groups = new Map()
  let busy = 0
  for (const node of profile.nodes) {
    const { functionName, url } = node.callFrame
    if (functionName === '(idle)') continue
    const group = url.includes('/.trpc-served/')
      ? 'Portcullis (bundle)'
      : url.includes('@trpc')
        ? 'tRPC'
        : functionName === '(garbage collector)'
          ? 'GC'
          : 'Node, undici, V8'
    groups.set(group, (groups.get(group) ?? 0) + (node.hitCount ?? 0))
    busy += node.hitCount ?? 0
  }
  console.log(
    `  ${label}: busy samples by owner: ${[...groups].map(([group, hits]) => `${group} ${((hits / busy) * 100).toFixed(1)}%`).join(', ')}`,
  )
  console.log(
    `  ${label}: ${total} samples, ${((total * interval) / requests).toFixed(1)} µs per request (wall, incl. idle)`,
  )
  const ours = new Map()
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame
    if (!url.includes('/.trpc-served/')) continue
    const key = `${functionName || '(anonymous)'}:${lineNumber + 1}`
    ours.set(key, (ours.get(key) ?? 0) + (node.hitCount ?? 0))
  }
  const top = [...ours].sort((a, b) => b[1] - a[1]).slice(0, 12)
  console.log(
    `  ${label}: our frames, % of busy samples: ${top.map(([key, hits]) => `${key} ${((hits / busy) * 100).toFixed(2)}`).join(', ')}`,
  )
  const rows = [...self].filter(([, hits]) => hits / total > 0.005).sort((a, b) => b[1] - a[1])
  for (const [key, hits] of rows)
    console.log(
      `    ${((hits * interval) / requests).toFixed(2).padStart(7)} µs  ${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`,
    )
}

// ---- alone mode: our context factory and middleware without tRPC -----------------------------------
// Each tree's createAuthContext and protectedProcedure middleware on a real IncomingMessage (the raw
// lines the loopback client sends) and ServerResponse, called as tRPC calls them (the context with
// tRPC's spread options, the middleware with an options object whose next() resolves), awaited as tRPC
// awaits them. Beside them, "nothing": an async context returning a constant and a middleware returning
// next(), the least any such layer costs. Palindromic rounds of `ms` CPU time each; medians per op.
async function alone(trees, rounds, ms, calls, only) {
  const { IncomingMessage, ServerResponse } = await import('node:http')
  const { Socket } = await import('node:net')
  const { initTRPC } = await import('@trpc/server')
  const jose = await import('jose')
  const pair = await jose.generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await jose.exportJWK(pair.publicKey)), alg: 'ES256', kid: 'es256-1' }
  const nowS = Math.floor(Date.now() / 1000)
  const token = await new jose.SignJWT({ scope: 'read:reports write:reports', roles: ['reader'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'es256-1' })
    .setIssuer('https://id.example.com/')
    .setAudience('https://api.example.com')
    .setSubject('alice')
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + 3600)
    .sign(pair.privateKey)
  const request = () => {
    const req = new IncomingMessage(new Socket())
    req.rawHeaders = [
      'Host',
      '127.0.0.1:40000',
      'Connection',
      'keep-alive',
      'authorization',
      `Bearer ${token}`,
    ]
    req.method = 'GET'
    req.url = '/me'
    return req
  }
  const info = {
    isBatchCall: false,
    calls: [],
    type: 'query',
    connectionParams: null,
    signal: new AbortController().signal,
    url: null,
    accept: null,
  }
  const okResult = Promise.resolve({ ok: true, data: 'alice', ctx: {}, marker: 'middlewareMarker' })
  const next = () => okResult
  const cases = []
  for (const tree of trees) {
    const file = await bundle(tree)
    const { core, trpc } = await import(pathToFileURL(file).href)
    await rm(file, { force: true })
    const auth = core.createAuth({
      issuer: 'https://id.example.com/',
      audience: 'https://api.example.com',
      jwks: { keys: [jwk] },
    })
    await auth.authenticate(request())
    const createContext = trpc.createAuthContext(auth)
    const t = initTRPC.context().meta().create()
    const { protectedProcedure } = trpc.createAuthProcedures(t)
    const middleware = protectedProcedure.query(() => 'alice')._def.middlewares[0]
    cases.push({ name: tree.name, createContext, middleware })
  }
  cases.push({
    name: 'nothing',
    createContext: async () => ({ user: { sub: 'alice' } }),
    middleware: ({ next: proceed }) => proceed(),
  })
  const req = request()
  const res = new ServerResponse(req)
  const adapterOpts = { router: {}, createContext: null, req, res, path: 'me', maxBodySize: null }
  const once = async ({ createContext, middleware }) => {
    const ctx = await createContext({ ...adapterOpts, info })
    const result = await middleware({
      ctx,
      type: 'query',
      path: 'me',
      input: undefined,
      getRawInput: next,
      meta: undefined,
      signal: info.signal,
      batchIndex: 0,
      next,
    })
    if (!result.ok) throw new Error('refused')
  }
  const cpu = () => {
    const { user, system } = process.cpuUsage()
    return user + system
  }
  const time = async (item) => {
    let ops = 0
    const start = cpu()
    let now = start
    while (now - start < ms * 1000) {
      for (let i = 0; i < 200; i++) await once(item)
      ops += 200
      now = cpu()
    }
    return ((now - start) * 1000) / ops
  }
  if (calls > 0) {
    // For `valgrind --tool=callgrind`: one case, a fixed number of calls, no timing; two counts of
    // calls subtracted give the instructions per call without start-up.
    const item = cases.find((entry) => entry.name === only)
    if (!item) throw new Error(`--only must name one of: ${cases.map((entry) => entry.name).join(', ')}`)
    for (let i = 0; i < calls; i++) await once(item)
    console.log(`${only}: ${calls} calls`)
    return
  }
  for (const item of cases) await time(item)
  const samples = new Map(cases.map((item) => [item.name, []]))
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...cases].reverse() : cases
    for (const item of order) samples.get(item.name).push(await time(item))
  }
  console.log(
    `# our tRPC code alone, Node ${process.version}, ${rounds} rounds x ${ms} ms CPU, ns per request (median, IQR)`,
  )
  const quartiles = (values) => {
    const sorted = [...values].sort((a, b) => a - b)
    return [
      sorted[Math.floor(sorted.length / 4)],
      median(sorted),
      sorted[Math.floor((sorted.length * 3) / 4)],
    ]
  }
  const base = samples.get('nothing')
  for (const [name, values] of samples) {
    const [low, mid, high] = quartiles(values)
    const over = quartiles(values.map((value, index) => value - base[index]))
    console.log(
      `${name.padEnd(10)} ${Math.round(mid)} ns (${Math.round(low)}..${Math.round(high)})  over nothing ${Math.round(over[1])} ns (${Math.round(over[0])}..${Math.round(over[2])})`,
    )
  }
  if (trees.length === 2) {
    const [a, b] = trees.map((tree) => samples.get(tree.name))
    const diff = quartiles(b.map((value, index) => value - a[index]))
    console.log(
      `${trees[1].name} - ${trees[0].name}: ${Math.round(diff[1])} ns (${Math.round(diff[0])}..${Math.round(diff[2])})`,
    )
  }
}
