import {
  type Auth,
  createAuth,
  createSessions,
  type Duration,
  memoryStore,
  type Sessions,
} from '@portcullis/core'
import { type Case, interleaved, type RoundOptions } from './harness.js'
import type { Section } from './report.js'
import { formatNs, formatRatio, median, medianRatio } from './stats.js'

const SESSION = {
  secret: 'a-session-secret-of-at-least-32-bytes-for-bench',
  issuer: 'https://api.example.com',
  audience: 'https://api.example.com',
  accessTtl: '5m',
} as const

/** A browser's Cookie header after these Set-Cookie values. */
const cookieOf = (setCookie: readonly string[]) => ({
  cookie: setCookie.map((line) => line.slice(0, line.indexOf(';'))).join('; '),
})

/** Sessions on a memory store whose clock the bench sets: `at` ms after sign-in. */
async function signedIn(refreshBefore: Duration | undefined, at: number) {
  let now = 1_700_000_000_000
  const clock = () => now
  const sessions: Sessions = createSessions({
    ...SESSION,
    refreshBefore,
    now: clock,
    store: memoryStore({ now: clock }),
  })
  const auth: Auth = createAuth({ sessions })
  const issued = await sessions.issue({ subject: 'alice' })
  now += at
  return { sessions, auth, issued, request: cookieOf(issued.setCookie) }
}

/**
 * Section 5: what `refreshBefore` (proactive refresh) costs. Outside its window a request pays one
 * comparison; inside it, the first request rotates (one store write) and requests already in flight
 * with the old cookies take the grace path (a read, no write).
 */
export async function runSessions(options: RoundOptions): Promise<Section> {
  const off = await signedIn(undefined, 60_000)
  const outside = await signedIn('60s', 60_000)
  const inside = await signedIn('60s', 5 * 60_000 - 30_000)
  const first = await inside.auth.authenticate(inside.request)
  if (!first.setCookie) throw new Error('the proactive refresh did not happen')
  for (const { auth, request } of [off, outside]) {
    const result = await auth.authenticate(request)
    if (result.status !== 'authenticated' || result.setCookie) throw new Error('unexpected refresh')
  }
  const rotating = await signedIn(undefined, 60_000)
  let refreshToken = rotating.issued.refreshToken

  const cases: Case[] = [
    { name: 'off', fn: () => off.auth.authenticate(off.request) },
    { name: 'outside', fn: () => outside.auth.authenticate(outside.request) },
    // Same old cookies again: what requests in flight during the first refresh pay (grace path).
    { name: 'inside-grace', fn: () => inside.auth.authenticate(inside.request) },
    {
      name: 'rotation',
      fn: async () => {
        refreshToken = (await rotating.sessions.refresh(refreshToken)).refreshToken
      },
    },
  ]
  const times = await interleaved(cases, options)
  const [offTimes, outsideTimes, graceTimes, rotationTimes] = cases.map((item) => times.get(item.name)!) as [
    number[],
    number[],
    number[],
    number[],
  ]
  return {
    title: '5. Sessions: proactive refresh (`refreshBefore`)',
    intro: [
      `Mean time per call on \`memoryStore()\`, median of ${options.rounds} interleaved rounds.`,
      'A session `authenticate` with `refreshBefore` off, and with `refreshBefore: 60s` outside the window;',
      'inside it, the first request rotates (the cost of one refresh) and later requests still carrying the',
      'old cookies take the grace path. Amortised, a session pays one rotation per `accessTtl`.',
    ].join(' '),
    header: ['case', 'time per request', 'vs off'],
    rows: [
      ['session authenticate, refreshBefore off', formatNs(median(offTimes)), '1.00x'],
      [
        'refreshBefore 60s, outside the window',
        formatNs(median(outsideTimes)),
        formatRatio(medianRatio(outsideTimes, offTimes)),
      ],
      [
        'inside the window, old cookies (grace path)',
        formatNs(median(graceTimes)),
        formatRatio(medianRatio(graceTimes, offTimes)),
      ],
      [
        'inside the window, first request: one rotation',
        formatNs(median(rotationTimes)),
        formatRatio(medianRatio(rotationTimes, offTimes)),
      ],
    ],
    targets: [],
  }
}
