import { inverse, ratioCi, spreadOf } from './ci.js'
import { frameworkPairs } from './frameworks/apps.js'
import { RESOLUTION } from './micro.js'
import { cpuOf, type PalindromeOptions, palindromic } from './palindrome.js'
import type { Section } from './report.js'
import { formatPercent } from './stats.js'
import { judge, type Target, withCi } from './verdict.js'

export const FRAMEWORK_TARGET = 0.97
const BODY = '{"subject":"alice"}'

const us = (value: number) => `${value.toFixed(2)} µs`

/**
 * Section 6: each `@portcullis/http` middleware (with a `requireAuth({ scopes })` guard) against its
 * bare framework, a cached HS256 bearer token on every request: bare, bare again (the A/A control) and
 * protected in palindromic cycles, CPU time per request, capacity (bare / protected) per cycle.
 */
export async function runFrameworks(options: PalindromeOptions): Promise<Section> {
  const rows: string[][] = []
  const targets: Target[] = []
  const warnings: string[] = []
  for (const pair of await frameworkPairs()) {
    // Both answer the same body, the protected one only through a verified identity.
    const checked = (name: string, call: () => Promise<string>) => async () => {
      const body = await call()
      if (body !== BODY) throw new Error(`${pair.name}, ${name}: expected ${BODY}, got ${body}`)
    }
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
      options,
    )
    await pair.close?.()
    const [bare, control, secured] = ['bare', 'bare (A/A)', 'protected'].map((name) => costs.get(name)!) as [
      number[],
      number[],
      number[],
    ]
    const capacity = inverse(ratioCi(secured, bare))
    const aa = inverse(ratioCi(control, bare))
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!
    rows.push([
      pair.name,
      us(median(bare)),
      us(median(secured)),
      withCi(aa, formatPercent),
      pair.informative
        ? `${withCi(capacity, formatPercent)} (${pair.informative})`
        : `**${withCi(capacity, formatPercent)}**`,
    ])
    // A row whose bare is not the framework is printed, never judged against the framework target.
    if (!pair.informative)
      targets.push(
        judge({
          name: `${pair.name.split(',')[0]}: >= ${formatPercent(FRAMEWORK_TARGET)} of the bare framework`,
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
        `${pair.name}: the A/A control strays ±${(spread * 100).toFixed(1)}% from 100%, more than ${RESOLUTION * 100}%: do not trust its ratio.`,
      )
  }
  return {
    title: '6. Each HTTP middleware against its framework (`frameworks`)',
    intro: [
      'Each framework of `@portcullis/http` bare and with `authMiddleware` plus a `requireAuth({ scopes })` guard,',
      'the same route answering the same JSON, one cached HS256 bearer token on every request, called in one',
      'process without sockets (Hono `app.fetch`, Fastify `inject`, a Next route handler with a `NextRequest`,',
      'Express with a real `IncomingMessage` and `ServerResponse`). Per framework, bare, bare again (the A/A',
      `control) and protected run in ${options.cycles} palindromic cycles of ~${options.slotMs} ms slots; CPU time per request`,
      '(`process.cpuUsage()`), and capacity (bare CPU / protected CPU) per cycle: median [95% CI]. Without the',
      'HTTP server a real request also pays for, so this reads lower than a served request would. The target is',
      'judged on the four framework rows only: "the Express middleware and guard alone" compares against `res.end`',
      'alone, not a framework, so its ratio is printed for information.',
    ].join(' '),
    header: ['Framework, how it was called', 'bare', 'with auth', 'A/A', 'capacity vs bare [95% CI]'],
    rows,
    targets,
    warnings,
  }
}
