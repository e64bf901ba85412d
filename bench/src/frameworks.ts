import { type Call, frameworkPairs } from './frameworks/apps.js'
import type { Section } from './report.js'
import { median, quartiles } from './stats.js'

const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`

export interface FrameworksOptions {
  /** Rounds; in each, every framework runs its bare and its protected app once, the order alternating. */
  readonly rounds: number
  /** Requests per app per round, times the pair's weight. */
  readonly chunk: number
  /** Requests per app before the first round. */
  readonly warmup: number
}

/** CPU microseconds per request over `count` sequential requests. */
async function cpuPerRequest(call: Call, count: number): Promise<number> {
  const started = process.cpuUsage()
  for (let index = 0; index < count; index++) await call()
  const { user, system } = process.cpuUsage(started)
  return (user + system) / count
}

/**
 * Section 6: what each `@portcullis/http` middleware (with a `requireAuth({ scopes })` guard) adds
 * per request to its bare framework, a cached HS256 bearer token on every request. Each framework's
 * bare and protected app take turns in the same round, the order flipping each round, and the ratio
 * is taken per round, then the median: a slow moment slows both sides of a round alike.
 */
export async function runFrameworks(options: FrameworksOptions): Promise<Section> {
  const pairs = await frameworkPairs()
  for (const pair of pairs) {
    // Both answer the same body, and the protected one only through a verified identity.
    const [bare, secured] = [await pair.bare(), await pair.protected()]
    if (bare !== '{"subject":"alice"}' || secured !== bare)
      throw new Error(`${pair.name}: expected {"subject":"alice"} from both, got ${bare} and ${secured}`)
  }
  for (const pair of pairs)
    for (let index = 0; index < options.warmup * pair.weight; index++) {
      await pair.bare()
      await pair.protected()
    }
  const samples = pairs.map(() => ({ bare: [] as number[], secured: [] as number[] }))
  for (let round = 0; round < options.rounds; round++)
    for (const [index, pair] of pairs.entries()) {
      const count = Math.max(1, Math.round(options.chunk * pair.weight))
      const sample = samples[index]!
      if (round % 2 === 0) {
        sample.bare.push(await cpuPerRequest(pair.bare, count))
        sample.secured.push(await cpuPerRequest(pair.protected, count))
      } else {
        sample.secured.push(await cpuPerRequest(pair.protected, count))
        sample.bare.push(await cpuPerRequest(pair.bare, count))
      }
    }
  for (const pair of pairs) await pair.close?.()
  const rows = pairs.map((pair, index) => {
    const { bare, secured } = samples[index]!
    const ratios = secured.map((value, round) => value / bare[round]!)
    const added = secured.map((value, round) => value - bare[round]!)
    const [low, high] = quartiles(ratios)
    return [
      pair.name,
      `${median(bare).toFixed(2)} µs`,
      `${median(secured).toFixed(2)} µs`,
      `${signed(median(added))} µs`,
      `**${median(ratios).toFixed(2)}x** (${low.toFixed(2)}-${high.toFixed(2)})`,
    ]
  })
  return {
    title: '6. What each HTTP middleware adds to its framework (`frameworks`)',
    intro: [
      'Each framework of `@portcullis/http` bare and with `authMiddleware` plus a `requireAuth({ scopes })` guard,',
      'the same route answering the same JSON, one cached HS256 bearer token on every request, called in one',
      'process without sockets (Hono `app.fetch`, Fastify `inject`, a Next route handler with a `NextRequest`,',
      'Express with a real `IncomingMessage` and `ServerResponse`). In each of',
      `${options.rounds} rounds every framework runs ${options.chunk} requests (times its weight) bare and protected,`,
      `the order flipping each round, after a ${options.warmup}-request warm-up; CPU time per request`,
      '(`process.cpuUsage()`), the ratio taken per round and its median (interquartile range in brackets).',
      'No target: this is what the middleware costs, without the HTTP server a real request also pays for.',
    ].join(' '),
    header: ['Framework, how it was called', 'bare', 'with auth', 'added', 'ratio'],
    rows,
    targets: [],
  }
}
