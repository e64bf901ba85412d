// Instructions per *served* Yoga request (issue 17): each variant in its own Node process on
// 127.0.0.1, under `valgrind --tool=callgrind`, loaded from this (uninstrumented) process over
// keep-alive connections with one reused ES256 bearer token, as bench section 2 does. After `warm`
// requests, each segment zeroes callgrind's counters (`callgrind_control -z`, through vgdb, while
// the server idles), sends `count` requests and dumps the counters (`callgrind_control -d`): the
// instructions of exactly those requests, start-up and warm-up excluded. Instruction counts do not
// depend on the machine's load, unlike CPU time. Node runs with `--single-threaded` under valgrind
// (no concurrent compiler or GC threads), so the optimizing tiers run on the counted thread.
//
// Usage (from the repository root):
//   mkdir -p /tmp/pc-main && git archive main packages | tar -x -C /tmp/pc-main
//   node bench/ab/yoga-served-ir.mjs [--variants bare,floor,sync,directive,ours] [--warm 3000]
//     [--count 4000] [--segments 2] [--connections 10] [--repeat 1] [main=/tmp/pc-main] [branch=.]
// `ours` and `directive` run once per tree (`ours@main`, `ours@branch`); the others use no tree code.
// `--envelop` (in process too) runs only what differs between the variants: a ponyfill `Request`,
// then getEnveloped, contextFactory and execute, no HTTP; it settles within a few thousand operations.
// It calls getEnveloped past Yoga's onParams, where useAuth verifies a served request since
// yoga-hooks (issue 17): for `ours` it then measures the fallback (onExecute's own lookup); use `--inproc`.
// `--native` prints CPU µs per request (from /proc, 10 ms ticks) instead: noisy on a loaded machine.
// `--prof-dir <dir> [--node-args "..."]` runs each variant natively once under `node --cpu-prof`.
// `--serve <variant> <bundle> <jwk>` is the child's mode (not for direct use).
//
// Variants: bare (no plugin), floor (an async onContextBuilding that extends the context), sync (the
// same, synchronous), hooks (a synchronous onContextBuilding, an empty onExecute and onSubscribe: the
// hooks useAuth registers, doing nothing), directive (our schema with `@auth`, no plugin), ours (useAuth, default sources).

import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { Agent, createServer, request } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bundleTree } from './bundle.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const argv = process.argv.slice(2)
const flag = (name, fallback) => {
  const index = argv.indexOf(`--${name}`)
  return index === -1 ? fallback : argv.splice(index, 2)[1]
}
const has = (name) => {
  const index = argv.indexOf(`--${name}`)
  if (index !== -1) argv.splice(index, 1)
  return index !== -1
}

const ISSUER = 'https://id.example.com/'
const AUDIENCE = 'https://api.example.com'
const PATH = '/graphql?query=%7Bme%7D'

if (argv[0] === '--serve') await serve(argv[1], argv[2], argv[3])
else await main()

/** Child: one Yoga server, its port on stdout; SIGTERM exits cleanly (callgrind writes its file). */
async function serve(variant, bundle, jwkJson) {
  const { createSchema, createYoga } = await import('graphql-yoga')
  const tree = bundle === '-' ? undefined : await import(pathToFileURL(bundle).href)
  const app = (typeDefs, resolvers, plugins = []) =>
    createYoga({
      schema: createSchema({ typeDefs, resolvers }),
      plugins,
      logging: false,
      landingPage: false,
      graphiql: false,
    })
  const subject = (_, __, ctx) => ctx.identity?.subject
  const identity = { subject: 'alice' }
  const builders = {
    bare: () => app('type Query { me: String }', { Query: { me: () => 'alice' } }),
    floor: () =>
      app('type Query { me: String }', { Query: { me: subject } }, [
        {
          async onContextBuilding({ extendContext }) {
            extendContext({ identity })
          },
        },
      ]),
    sync: () =>
      app('type Query { me: String }', { Query: { me: subject } }, [
        {
          onContextBuilding({ extendContext }) {
            extendContext({ identity })
          },
        },
      ]),
    // The hooks useAuth registers, doing nothing: what Envelop charges for them.
    hooks: () =>
      app('type Query { me: String }', { Query: { me: subject } }, [
        {
          onContextBuilding({ extendContext }) {
            extendContext({ identity })
          },
          onExecute() {},
          async onSubscribe() {},
        },
      ]),
    // Our schema (the directive's definitions, `@auth` on the field) without the plugin.
    directive: () =>
      app(`${tree.yoga.authDirectiveTypeDefs}\ntype Query { me: String @auth }`, {
        Query: { me: () => 'alice' },
      }),
    ours: () => {
      const auth = tree.core.createAuth({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwks: { keys: [JSON.parse(jwkJson)] },
      })
      return app(
        `${tree.yoga.authDirectiveTypeDefs}\ntype Query { me: String @auth }`,
        { Query: { me: subject } },
        [tree.yoga.useAuth({ auth })],
      )
    },
  }
  const yoga = builders[variant]()
  if (process.env.YSI_INPROC) return inProcess(yoga, JSON.parse(process.env.YSI_INPROC))
  const server = createServer(yoga)
  server.keepAliveTimeout = 600_000
  process.on('SIGTERM', () => {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  })
  server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${server.address().port}\n`))
}

/**
 * `--inproc`: Yoga's Node handler called in this process with an `IncomingMessage` and a
 * `ServerResponse` on no socket: the same JavaScript as a served request (the adapter, the
 * ponyfill Request, the response) without the sockets and the client. Counters are zeroed and dumped
 * by this process itself (callgrind_control through vgdb while it waits).
 */
async function inProcess(yoga, { token, warm, count, segments, envelopOnly }) {
  const { IncomingMessage, ServerResponse } = await import('node:http')
  const { Socket } = await import('node:net')
  const { spawnSync } = await import('node:child_process')
  const socket = new Socket()
  const authorization = `Bearer ${token}`
  const one = () =>
    new Promise((done, fail) => {
      const req = new IncomingMessage(socket)
      req.method = 'GET'
      req.url = PATH
      req.rawHeaders = ['Host', '127.0.0.1', 'Connection', 'keep-alive', 'Authorization', authorization]
      req.headers = { host: '127.0.0.1', connection: 'keep-alive', authorization }
      req.push(null)
      const res = new ServerResponse(req)
      let body = ''
      res.write = (chunk) => {
        body += String(chunk)
        return true
      }
      res.end = (chunk) => {
        body += String(chunk ?? '')
        res.statusCode === 200 && body.includes('"me":"alice"')
          ? done()
          : fail(new Error(`wrong answer ${body}`))
        return res
      }
      yoga(req, res)
    })
  // `--envelop`: only what differs between the variants, no HTTP: the request Yoga's adapter would
  // build (a ponyfill `Request` over Node's header record), then getEnveloped, contextFactory, execute.
  const { parse } = await import('graphql')
  const document = parse('{me}')
  const params = { query: '{me}' }
  const operation = async () => {
    const req = new IncomingMessage(socket)
    req.headers = { host: '127.0.0.1', connection: 'keep-alive', authorization }
    req.rawHeaders = ['Host', '127.0.0.1', 'Connection', 'keep-alive', 'Authorization', authorization]
    const request = new yoga.fetchAPI.Request(`http://127.0.0.1${PATH}`, { headers: req.headers })
    request.headers.get('accept')
    const { contextFactory, execute, schema } = yoga.getEnveloped({ request, req, params })
    const result = await execute({ schema, document, contextValue: await contextFactory() })
    if (result.data?.me !== 'alice') throw new Error(`wrong answer ${JSON.stringify(result)}`)
  }
  const step = envelopOnly ? operation : one
  const loop = async (n) => {
    for (let i = 0; i < n; i++) await step()
  }
  await loop(warm)
  for (let segment = 1; segment <= segments; segment++) {
    if (process.env.YSI_VALGRIND)
      spawnSync('callgrind_control', ['-z', String(process.pid)], { timeout: 60_000 })
    const start = process.cpuUsage()
    await loop(count)
    const used = process.cpuUsage(start)
    if (process.env.YSI_VALGRIND)
      spawnSync('callgrind_control', ['-d', String(process.pid)], { timeout: 60_000 })
    process.stdout.write(`cpu ${(used.user + used.system) / count}\n`)
  }
  process.stdout.write('port 0\n')
  setTimeout(() => process.exit(0), 10)
}

async function main() {
  const names = flag('variants', 'bare,floor,sync,directive,ours').split(',')
  const warm = Number(flag('warm', 3000))
  const count = Number(flag('count', 4000))
  const segments = Number(flag('segments', 2))
  const connections = Number(flag('connections', 10))
  const repeat = Number(flag('repeat', 1))
  const native = has('native')
  const envelopOnly = has('envelop')
  const inproc = has('inproc') || envelopOnly
  const profDir = flag('prof-dir', '')
  const extra = flag('node-args', '').split(' ').filter(Boolean)
  const trees = argv.map((arg) => {
    const [name, root] = arg.includes('=') ? arg.split('=') : ['branch', arg]
    return { name, root: resolve(root) }
  })
  if (trees.length === 0) trees.push({ name: 'branch', root: resolve('.') })

  const jose = await import('jose')
  const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' }
  const now = Math.floor(Date.now() / 1000)
  const token = await new jose.SignJWT({ scope: 'read:reports openid profile email', roles: ['reader'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'es-1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('alice')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600 * 6)
    .sign(privateKey)

  const work = join(tmpdir(), `yoga-served-ir-${process.pid}`)
  await mkdir(work, { recursive: true })
  const bundles = {}
  for (const tree of trees)
    bundles[tree.name] = await bundle(tree, join(here, '..', 'node_modules', '.yoga-served-ir'))
  const variants = names.flatMap((name) =>
    name === 'ours' || name === 'directive'
      ? trees.map((tree) => ({ label: `${name}@${tree.name}`, name, bundle: bundles[tree.name] }))
      : [{ label: name, name, bundle: bundles[trees[0].name] }],
  )

  try {
    if (profDir) {
      await mkdir(profDir, { recursive: true })
      for (const variant of variants) {
        const dir = join(profDir, variant.label.replace(/[^\w@.-]/g, '_'))
        await run(variant, {
          token,
          jwk,
          warm,
          count,
          connections,
          inproc,
          native: true,
          args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...extra],
        })
        console.log(`${variant.label}: profile in ${dir}`)
      }
      return
    }
    console.log(
      `${native ? 'CPU µs' : 'instructions'} per served request: warm ${warm}, then ${segments} x ${count} requests, ${connections} connections`,
    )
    const results = {}
    for (let round = 0; round < repeat; round++)
      for (const variant of variants) {
        const out = join(work, `${variant.label.replace(/[^\w@.-]/g, '_')}-${round}.out`)
        const perSegment = await run(variant, {
          token,
          jwk,
          warm,
          count,
          segments,
          connections,
          native,
          out,
          v8: extra,
          inproc,
        })
        results[variant.label] = [...(results[variant.label] ?? []), perSegment.at(-1)]
        const shown = perSegment.map((value) => (native ? value.toFixed(2) : Math.round(value)))
        console.log(`  ${variant.label.padEnd(18)} ${shown.join(' ')}`)
      }
    // The last segment of each run (the most warmed up), median over the rounds.
    const last = (label) => median(results[label])
    const base = results.bare ? last('bare') : 0
    for (const label of Object.keys(results)) {
      const value = last(label)
      const shown = native ? value.toFixed(2) : String(Math.round(value))
      const delta = base
        ? `, ${((value / base) * 100).toFixed(1)}% of bare, ${native ? (value - base).toFixed(2) : Math.round(value - base)} more`
        : ''
      console.log(`  ${label.padEnd(18)} last segment ${shown}${delta}`)
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** Bundles a tree's core and yoga sources (frameworks stay external, resolved from bench/node_modules). */
const bundle = ({ name, root }, dir) =>
  bundleTree(root, { core: '@portcullis/core', yoga: '@portcullis/yoga' }, join(dir, `tree-${name}.mjs`))

/**
 * Starts one child and loads it with `warm` requests; then, `segments` times, `count` requests
 * between a zeroing and a dump of callgrind's counters (`callgrind_control` reaches the idle process
 * through vgdb), or between two reads of its CPU time. Per-request figures, one per segment.
 */
async function run(
  variant,
  {
    token,
    jwk,
    warm,
    count,
    segments = 1,
    connections,
    native,
    out,
    args = [],
    v8 = [],
    inproc,
    envelopOnly,
  },
) {
  const script = fileURLToPath(import.meta.url)
  const nodeArgs = [...args, ...v8, script, '--serve', variant.name, variant.bundle, JSON.stringify(jwk)]
  const plain = native || args.length > 0
  if (inproc)
    return inProcessRun(variant, { token, warm, count, segments, native, out, nodeArgs, envelopOnly })
  const [command, commandArgs] = plain
    ? [process.execPath, nodeArgs]
    : [
        'valgrind',
        [
          '--tool=callgrind',
          `--callgrind-out-file=${out}`,
          process.execPath,
          '--single-threaded',
          ...nodeArgs,
        ],
      ]
  const child = spawn(command, commandArgs, { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] })
  if (process.env.YSI_LOG) child.stdout.pipe(createWriteStream(`${process.env.YSI_LOG}.${variant.label}`))
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise((done) => child.on('exit', done))
  const results = []
  try {
    const port = await new Promise((done, fail) => {
      let text = ''
      child.stdout.on('data', (chunk) => {
        text += chunk
        const match = /port (\d+)/.exec(text)
        if (match) done(Number(match[1]))
      })
      child.on('exit', () =>
        fail(new Error(`${variant.label} exited before listening:\n${stderr.slice(-2000)}`)),
      )
    })
    const url = `http://127.0.0.1:${port}${PATH}`
    const agent = new Agent({ keepAlive: true, maxSockets: connections })
    const load = async (n) => {
      const wrong = await send(url, agent, `Bearer ${token}`, n, connections)
      if (wrong) throw new Error(`${variant.label}: ${wrong} wrong answers`)
    }
    await load(warm)
    for (let segment = 1; segment <= segments; segment++) {
      if (native) {
        const before = await cpuOf(child)
        await load(count)
        results.push(((await cpuOf(child)) - before) / count)
      } else if (!plain) {
        await control(['-z', String(child.pid)])
        await load(count)
        await control(['-d', String(child.pid)])
        results.push((await totalOf(`${out}.${segment}`)) / count)
      } else await load(count)
    }
    agent.destroy()
  } finally {
    child.kill('SIGTERM')
    await exited
  }
  return results
}

/** `--inproc`: the child loops by itself; per-request figures from its dumps (or its own CPU time). */
async function inProcessRun(variant, { token, warm, count, segments, native, out, nodeArgs, envelopOnly }) {
  const env = { ...process.env, YSI_INPROC: JSON.stringify({ token, warm, count, segments, envelopOnly }) }
  if (!native) env.YSI_VALGRIND = '1'
  const [command, commandArgs] = native
    ? [process.execPath, nodeArgs]
    : [
        'valgrind',
        [
          '--tool=callgrind',
          `--callgrind-out-file=${out}`,
          process.execPath,
          '--single-threaded',
          ...nodeArgs,
        ],
      ]
  const child = spawn(command, commandArgs, { cwd: here, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const code = await new Promise((done) => child.on('exit', done))
  if (!stdout.includes('port 0'))
    throw new Error(`${variant.label} failed (${code}):\n${stderr.slice(-2000)}`)
  if (native) return [...stdout.matchAll(/cpu ([\d.]+)/g)].map((match) => Number(match[1]))
  const results = []
  for (let segment = 1; segment <= segments; segment++)
    results.push((await totalOf(`${out}.${segment}`)) / count)
  return results
}

/** Runs `callgrind_control` (bounded: a minute) and waits for it. */
function control(args) {
  return new Promise((done, fail) => {
    const tool = spawn('callgrind_control', args, { stdio: 'ignore' })
    const timer = setTimeout(() => tool.kill(), 60_000)
    tool.on('exit', (code) => {
      clearTimeout(timer)
      code === 0 ? done() : fail(new Error(`callgrind_control ${args.join(' ')} exited with ${code}`))
    })
  })
}

/** The instructions a callgrind dump counted. */
async function totalOf(file) {
  const text = await readFile(file, 'utf8')
  const total = /^(?:summary|totals): (\d+)/m.exec(text)
  if (!total) throw new Error(`no totals in ${file}`)
  return Number(total[1])
}

/** Native runs only: the child's CPU time, read from /proc (user + system, in µs), not through IPC. */
async function cpuOf(child) {
  const stat = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1].split(' ')
  return ((Number(stat[11]) + Number(stat[12])) * 1e6) / 100
}

/** `n` GET requests, `connections` at a time; how many answered another status or body. */
async function send(url, agent, authorization, n, connections) {
  let sent = 0
  let wrong = 0
  const one = () =>
    new Promise((done, fail) => {
      const outgoing = request(url, { agent, headers: { authorization } }, (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (chunk) => {
          body += chunk
        })
        response.on('end', () => done(response.statusCode === 200 && body.includes('"me":"alice"')))
        response.on('error', fail)
      })
      outgoing.setTimeout(120_000, () => outgoing.destroy(new Error('request timed out')))
      outgoing.on('error', fail)
      outgoing.end()
    })
  const worker = async () => {
    while (sent < n) {
      sent++
      if (!(await one())) wrong++
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, connections) }, worker))
  return wrong
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0
}
