// What one operation on an Express 5 request costs, inside Express (issue 17): Express swaps each
// request's prototype (`Object.setPrototypeOf(req, app.request)`), after which the request's hidden
// class is its own, so property adds and reads miss V8's inline caches. One app per operation: a
// middleware doing it, then the route; in-process (an IncomingMessage on an idle socket), timed by
// the bench's palindromic cycles (palindromic.mjs).
//
// Usage: node --expose-gc bench/ab/express-ops.mjs [--rounds 21] [--ms 40]
//        node bench/ab/express-ops.mjs --profile <case> --calls N   (for callgrind: two N, subtract)
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { quantile, timeCases } from './palindromic.mjs'

const argv = process.argv.slice(2)
const flag = (name, fallback) => {
  const index = argv.indexOf(`--${name}`)
  return index === -1 ? fallback : argv.splice(index, 2)[1]
}
const rounds = Number(flag('rounds', 21))
const ms = Number(flag('ms', 40))
const profile = flag('profile', '')
const calls = Number(flag('calls', 0))
const { default: express } = await import('express')

const socket = new Socket()
const call = (app) => () =>
  new Promise((done) => {
    const req = new IncomingMessage(socket)
    req.method = 'GET'
    req.url = '/reports'
    req.rawHeaders = ['Host', '127.0.0.1', 'Authorization', 'Bearer x']
    req.headers = { host: '127.0.0.1', authorization: 'Bearer x' }
    const res = new ServerResponse(req)
    res.end = (chunk) => {
      done(String(chunk ?? ''))
      return res
    }
    app(req, res)
  })

const Stamped = class {
  constructor(target) {
    // biome-ignore lint/correctness/noConstructorReturn: stamps `target`
    return target
  }
}
class Holder extends Stamped {
  #value
  constructor(target, value) {
    super(target)
    this.#value = value
  }
  static has = (target) => #value in target
  static read = (target) => target.#value
}
const value = { subject: 'alice' }
const weak = new WeakMap()
const proto = new WeakSet()
const installGetter = (req) => {
  const prototype = Object.getPrototypeOf(req)
  if (proto.has(prototype)) return
  proto.add(prototype)
  Object.defineProperty(prototype, 'identity', {
    configurable: true,
    get() {
      return weak.get(this) ?? null
    },
  })
}

const operations = {
  'pass-through': () => {},
  'add req.identity': (req) => {
    req.identity = value
  },
  'stamp a private field': (req) => {
    new Holder(req, value)
  },
  'private field `in` (absent)': (req) => {
    if (Holder.has(req)) throw new Error('present')
  },
  'stamp, then `in` and read': (req) => {
    new Holder(req, value)
    if (!Holder.has(req) || Holder.read(req) !== value) throw new Error('absent')
  },
  'WeakMap set': (req) => {
    weak.set(req, value)
  },
  'WeakMap set, then get': (req) => {
    weak.set(req, value)
    if (weak.get(req) !== value) throw new Error('absent')
  },
  'read req.rawHeaders': (req) => {
    if (!Array.isArray(req.rawHeaders)) throw new Error('no rawHeaders')
  },
  'WeakMap set + prototype getter read': (req) => {
    installGetter(req)
    weak.set(req, value)
    if (req.identity !== value) throw new Error('absent')
  },
}
const cases = {}
const bare = express().get('/reports', (_req, res) => res.json({ subject: 'alice' }))
cases.bare = call(bare)
for (const [name, operation] of Object.entries(operations)) {
  const app = express()
    .use((req, _res, next) => {
      operation(req)
      next()
    })
    .get('/reports', (_req, res) => res.json({ subject: 'alice' }))
  cases[name] = call(app)
}
for (const [name, fn] of Object.entries(cases))
  if ((await fn()) !== '{"subject":"alice"}') throw new Error(`${name} answered wrong`)

if (profile) {
  const fn = cases[profile]
  if (!fn) throw new Error(`no case "${profile}"; cases: ${Object.keys(cases).join(' | ')}`)
  for (let i = 0; i < calls; i++) await fn()
  process.exit(0)
}
const samples = await timeCases(cases, { rounds, ms })
console.log(`node ${process.version}, ${rounds} palindromic cycles x ${ms} ms\n`)
console.log('| operation | median ns per request | minus pass-through (ns), median | IQR |')
console.log('| --- | --- | --- | --- |')
for (const [name, values] of Object.entries(samples)) {
  const deltas = values.map((v, i) => v - samples['pass-through'][i])
  console.log(
    `| ${name} | ${quantile(values, 0.5).toFixed(0)} | ${quantile(deltas, 0.5).toFixed(0)} | ${quantile(deltas, 0.25).toFixed(0)}..${quantile(deltas, 0.75).toFixed(0)} |`,
  )
}
process.exit(0)
