import { differenceCi, inverse, ratioCi, spreadOf } from './ci.js'
import { frameworkPairs } from './frameworks/apps.js'
import { servedSetup, timeServed } from './frameworks/served.js'
import { SERVED_FRAMEWORKS, type ServedFramework } from './frameworks/served-apps.js'
import { RESOLUTION } from './micro.js'
import { type CycleCosts, cpuOf, type PalindromeOptions, palindromic } from './palindrome.js'
import type { Section } from './report.js'
import { formatPercent, median } from './stats.js'
import { judge, type Target, withCi } from './verdict.js'

export const FRAMEWORK_TARGET = 0.97
const BODY = '{"subject":"alice"}'

const us = (value: number) => `${value.toFixed(2)} µs`

/** The settings of section 6: the served palindromes (judged) and the in-process ones (informative). */
export interface FrameworksOptions {
  readonly served: PalindromeOptions & { readonly connections: number; readonly processes?: number }
  readonly inProcess: PalindromeOptions
}

/** How each served row is named: the framework and how it listens. */
const SERVED_NAMES: Record<ServedFramework, string> = {
  Hono: 'Hono on `@hono/node-server`, served',
  Fastify: 'Fastify 5, `listen`, served',
  Next: "Next 15 route handler, `next start`'s handlers, served",
  Express: 'Express 5, `app.listen`, served',
}

/**
 * Section 6: each `@portcullis/http` middleware (with a `requireAuth({ scopes })` guard) against its
 * bare framework, a cached HS256 bearer token on every request. Served: each framework's bare app, a
 * second bare process (the A/A control) and the protected app in processes of their own on
 * loopback, server CPU time per request in palindromic cycles; the targets are judged on these rows.
 * Then the same apps called in process (no sockets), printed for information.
 */
export async function runFrameworks(options: FrameworksOptions): Promise<Section> {
  const rows: string[][] = []
  const targets: Target[] = []
  const warnings: string[] = []
  const row = (name: string, costs: CycleCosts, judged: boolean, note?: string) => {
    const [bare, control, secured] = ['bare', 'bare (A/A)', 'protected'].map((key) => costs.get(key)!) as [
      number[],
      number[],
      number[],
    ]
    const floor = costs.get('floor')
    const capacity = inverse(ratioCi(secured, bare))
    const aa = inverse(ratioCi(control, bare))
    const cell = withCi(capacity, formatPercent)
    const micros = (value: number) => value.toFixed(2)
    rows.push([
      name,
      us(median(bare)),
      floor ? us(median(floor)) : '-',
      us(median(secured)),
      withCi(differenceCi(secured, bare), micros),
      floor ? withCi(differenceCi(secured, floor), micros) : '-',
      withCi(aa, formatPercent),
      judged ? `**${cell}**` : `${cell}${note ? ` (${note})` : ''}`,
    ])
    // Only a served row whose bare is the framework itself is judged against the framework target.
    if (judged)
      targets.push(
        judge({
          name: `${name.split(',')[0]}, served: >= ${formatPercent(FRAMEWORK_TARGET)} of the bare framework`,
          estimate: capacity,
          limit: FRAMEWORK_TARGET,
          better: 'higher',
          neutral: 1,
          control: aa,
          format: formatPercent,
        }),
      )
    const spread = spreadOf(aa, 1)
    if (spread > RESOLUTION)
      warnings.push(
        `${name}: the A/A control strays ±${(spread * 100).toFixed(1)}% from 100%, more than ${RESOLUTION * 100}%: do not trust its ratio.`,
      )
  }

  const setup = await servedSetup()
  for (const framework of SERVED_FRAMEWORKS)
    row(SERVED_NAMES[framework], await timeServed(framework, setup, options.served), true)

  for (const pair of await frameworkPairs()) {
    // Both answer the same body, the protected one only through a verified identity.
    const checked = (name: string, call: () => Promise<string>) => async () => {
      const body = await call()
      if (body !== BODY) throw new Error(`${pair.name}, ${name}: expected ${BODY}, got ${body}`)
    }
    try {
      const costs = await palindromic(
        [
          { name: 'bare', run: (count) => cpuOf(pair.bare, count), check: checked('bare', pair.bare) },
          { name: 'bare (A/A)', run: (count) => cpuOf(pair.bare, count), check: checked('bare', pair.bare) },
          {
            name: 'protected',
            run: (count) => cpuOf(pair.protected, count),
            check: checked('protected', pair.protected),
          },
        ],
        options.inProcess,
      )
      row(pair.name, costs, false, pair.informative ?? 'in process: informative')
    } finally {
      await pair.close?.()
    }
  }
  const served = options.served
  const local = options.inProcess
  return {
    title: '6. Each HTTP middleware against its framework (`frameworks`)',
    intro: [
      'Each framework of `@portcullis/http` bare and with `authMiddleware` plus a `requireAuth({ scopes })` guard,',
      'the same route answering the same JSON, one cached HS256 bearer token on every request.',
      '**Served** (the judged rows): per framework, the bare app, a second bare process (the A/A control) and the',
      `protected app each run in ${(served.processes ?? 1) === 1 ? 'a Node process of their own' : `${served.processes} Node processes of their own, each warmed on its own, a variant's sub-slots going to its processes in turn,`} on 127.0.0.1 (Hono through \`@hono/node-server\`,`,
      'Fastify `listen`, Express on a Node server, Next through `next({ dir })` on a production build, which runs',
      'the request handlers `next start` runs), with the floor beside them (the same app behind two pass-through',
      'layers where ours sit: what any middleware and guard cost in that framework), loaded from the bench process over',
      `${served.connections} keep-alive raw-socket connections each (a few µs of client CPU per request); server CPU time per request (\`process.cpuUsage()\` of the`,
      `server's process) in ${served.cycles} palindromic cycles of ~${served.slotMs} ms slots (${served.subSlots ?? 1} sub-slots, each a round of the cycle's order), every answer checked byte`,
      'for byte. **In process** (informative): the same apps called without sockets (Hono `app.fetch`, Fastify',
      '`inject`, a Next route handler with a `NextRequest`, Express on a real `IncomingMessage`), where a bare',
      'request costs only a few µs and our middleware weighs more than on a served one;',
      `${local.cycles} cycles of ~${local.slotMs} ms slots. "with auth − bare" is the median per-cycle difference, µs per`,
      'request; capacity is bare CPU / protected CPU per cycle: median [95% CI].',
    ].join(' '),
    header: [
      'Framework, how it was called',
      'bare',
      'floor',
      'with auth',
      'with auth − bare, µs [95% CI]',
      'with auth − floor, µs [95% CI]',
      'A/A',
      'capacity vs bare [95% CI]',
    ],
    rows,
    targets,
    warnings,
  }
}
