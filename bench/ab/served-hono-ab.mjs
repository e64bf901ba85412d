// Interleaved A/B of two builds of @portcullis/http's Hono middleware, served (issue 17): bare Hono, a
// second bare process, and Hono + authMiddleware + requireAuth({ scopes }) from build A and from build B,
// each on @hono/node-server in a process of its own on 127.0.0.1, loaded over 10 keep-alive connections
// with one cached HS256 bearer token; server CPU time per request (process.cpuUsage() of the server) in
// palindromic rounds; medians of per-round differences with their IQR. Every answer is checked.
// Usage, from the repository root (a build is a copy of packages/http/dist):
//   node bench/ab/served-hono-ab.mjs <distA> <distB> [rounds=21] [requests=4000]
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { cp, mkdir, rm } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const repo = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')
const bench = join(repo, 'bench', 'node_modules')
const ISSUER = 'https://id.example.com/'
const AUDIENCE = 'https://api.example.com'
const secret = new Uint8Array(32).map((_, i) => (i * 37 + 11) % 256)
const BODY = '{"subject":"alice"}'

if (process.argv[2] === '--serve') {
  // A server: argv[3] is 'bare' or the folder of an http build.
  const { Hono } = await import(pathToFileURL(join(bench, 'hono', 'dist', 'index.js')).href)
  const { serve } = await import(pathToFileURL(join(bench, '@hono', 'node-server', 'dist', 'index.mjs')).href)
  let app
  if (process.argv[3] === 'bare') app = new Hono().get('/reports', (c) => c.json({ subject: 'alice' }))
  else {
    const { createAuth } = await import(
      pathToFileURL(join(bench, '@portcullis', 'core', 'dist', 'index.js')).href
    )
    const { authMiddleware, requireAuth } = await import(
      pathToFileURL(join(process.argv[3], 'hono', 'index.js')).href
    )
    const auth = createAuth({ issuer: ISSUER, audience: AUDIENCE, secret })
    app = new Hono()
      .use(authMiddleware(auth))
      .get('/reports', requireAuth({ scopes: ['read:reports'] }), (c) =>
        c.json({ subject: c.var.identity.subject }),
      )
  }
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
    process.send({ port: info.port }),
  )
  server.keepAliveTimeout = 60_000
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send({ cpu: user + system })
    } else if (message === 'stop') {
      server.closeAllConnections()
      server.close(() => process.exit(0))
    }
  })
} else {
  const [a, b, rounds = '21', perSlot = '4000'] = process.argv.slice(2)
  if (!a || !b) throw new Error('usage: served-hono-ab.mjs <distA> <distB> [rounds] [requests]')
  const { SignJWT } = await import(pathToFileURL(join(bench, 'jose', 'dist', 'webapi', 'index.js')).href)
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({ scope: 'read:reports write:reports', roles: ['reader'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('alice')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(secret)
  // Each build is copied under bench/node_modules, so that it resolves @portcullis/core from there.
  const staging = join(bench, '.served-ab', String(process.pid))
  const builds = {}
  for (const [name, dist] of [
    ['A', a],
    ['B', b],
  ]) {
    builds[name] = join(staging, name)
    await mkdir(builds[name], { recursive: true })
    await cp(resolve(dist), builds[name], { recursive: true })
  }
  const variants = [
    { name: 'bare', arg: 'bare' },
    { name: 'bare (A/A)', arg: 'bare' },
    { name: 'A', arg: builds.A },
    { name: 'B', arg: builds.B },
  ]
  const servers = []
  try {
    for (const variant of variants) {
      const child = fork(new URL(import.meta.url), ['--serve', variant.arg], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      const [{ port }] = await once(child, 'message')
      const agent = new Agent({ keepAlive: true, maxSockets: 10 })
      servers.push({ ...variant, child, agent, url: `http://127.0.0.1:${port}/reports` })
    }
    const one = (server) =>
      new Promise((done, fail) => {
        const outgoing = request(
          server.url,
          { agent: server.agent, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            let body = ''
            res.setEncoding('utf8')
            res.on('data', (chunk) => (body += chunk))
            res.on('end', () =>
              res.statusCode === 200 && body === BODY
                ? done()
                : fail(new Error(`${server.name}: ${res.statusCode} ${body}`)),
            )
          },
        )
        outgoing.on('error', fail)
        outgoing.end()
      })
    const cpu = async (server) => {
      const reply = once(server.child, 'message')
      server.child.send('cpu')
      return (await reply)[0].cpu
    }
    const slot = async (server, count) => {
      const before = await cpu(server)
      let sent = 0
      const worker = async () => {
        while (sent < count) {
          sent++
          await one(server)
        }
      }
      await Promise.all(Array.from({ length: 10 }, worker))
      return ((await cpu(server)) - before) / count
    }
    for (const server of servers) await slot(server, Number(perSlot))
    const costs = new Map(servers.map((server) => [server.name, []]))
    for (let round = 0; round < Number(rounds); round++) {
      const start = round % servers.length
      const forward = servers.map((_, index) => servers[(index + start) % servers.length])
      const spent = new Map()
      for (const server of [...forward, ...forward.reverse()])
        spent.set(server.name, (spent.get(server.name) ?? 0) + (await slot(server, Number(perSlot) >> 1)) / 2)
      for (const [name, value] of spent) costs.get(name).push(value)
    }
    const q = (values, p) => [...values].sort((x, y) => x - y)[Math.floor(p * (values.length - 1))]
    const diff = (x, y) => costs.get(x).map((value, index) => value - costs.get(y)[index])
    const show = (label, values, unit = ' µs') =>
      console.log(
        `${label.padEnd(24)} ${q(values, 0.5).toFixed(2)}${unit} (IQR ${q(values, 0.25).toFixed(2)}..${q(values, 0.75).toFixed(2)})`,
      )
    for (const [name, values] of costs) show(`${name} per request`, values)
    show('A/A: bare (A/A) - bare', diff('bare (A/A)', 'bare'))
    show('A - bare', diff('A', 'bare'))
    show('B - bare', diff('B', 'bare'))
    show('B - A', diff('B', 'A'))
    const ratio = (x) => costs.get('bare').map((value, index) => value / costs.get(x)[index])
    show(
      'A: capacity vs bare',
      ratio('A').map((v) => v * 100),
      '%',
    )
    show(
      'B: capacity vs bare',
      ratio('B').map((v) => v * 100),
      '%',
    )
  } finally {
    for (const server of servers) {
      server.agent.destroy()
      server.child.send('stop')
    }
    await Promise.all(
      servers.map((server) => (server.child.exitCode === null ? once(server.child, 'exit') : undefined)),
    )
    await rm(staging, { recursive: true, force: true })
  }
}
