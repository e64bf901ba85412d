import { type Auth, createAuth } from '@portcullis/core'
import { jwtVerify } from 'jose'
import { type Estimate, inverse, ratioCi, spreadOf } from './ci.js'
import { cpuOf, type PalindromeOptions, palindromic, type Variant } from './palindrome.js'
import type { Section } from './report.js'
import { formatNs, formatRatio } from './stats.js'
import {
  ALGORITHMS,
  AUDIENCE,
  type BenchAlgorithm,
  ISSUER,
  type KeyMaterial,
  keyMaterial,
  signToken,
} from './tokens.js'
import { judge, type Target, withCi } from './verdict.js'

/** A Portcullis verifier for one algorithm's key material, configured as users would. */
export function portcullisFor(material: KeyMaterial, cache: boolean): Auth {
  const common = { issuer: ISSUER, audience: AUDIENCE, cache: cache ? undefined : (false as const) }
  return material.secret
    ? createAuth({ ...common, secret: material.secret })
    : createAuth({ ...common, jwks: { keys: [material.publicJwk!] } })
}

/** A function to time, and the check it must pass (before timing and after). */
interface Call {
  readonly name: string
  readonly fn: () => unknown
  readonly check: () => Promise<void>
}

/** The ways to verify one token for one algorithm, jose twice (the A/A control). */
export async function microCalls(alg: BenchAlgorithm): Promise<Call[]> {
  const material = await keyMaterial(alg)
  const token = await signToken(material)
  const cached = portcullisFor(material, true)
  const uncached = portcullisFor(material, false)
  const request = new Request('http://127.0.0.1/graphql', { headers: { authorization: `Bearer ${token}` } })
  const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] }
  const subject = (what: string, value: string | undefined) => {
    if (value !== 'alice') throw new Error(`${alg} ${what}: expected subject alice, got ${value}`)
  }
  // jose and its A/A twin are built the same way, each its own closure, neither shared with a check.
  const joseCall = () => () => jwtVerify(token, material.verifyKey, joseOptions)
  const joseCheck = async () => subject('jose.jwtVerify', (await joseCall()()).payload.sub)
  return [
    { name: 'jose', fn: joseCall(), check: joseCheck },
    // The same function again in its own slots: what "no difference" reads as in this run.
    { name: 'jose (A/A)', fn: joseCall(), check: joseCheck },
    {
      name: 'miss',
      fn: () => uncached.verify(token),
      check: async () => subject('verify (cache miss)', (await uncached.verify(token)).subject),
    },
    {
      name: 'hit',
      fn: () => cached.verify(token),
      check: async () => subject('verify (cache hit)', (await cached.verify(token)).subject),
    },
    {
      name: 'authenticate',
      fn: () => cached.authenticate(request),
      check: async () => {
        const result = await cached.authenticate(request)
        subject('authenticate', result.status === 'authenticated' ? result.identity.subject : result.status)
      },
    },
  ]
}

export const HIT_TARGET = 20
export const MISS_TARGET = 1.05
/** The smallest difference the bench must resolve: an A/A control wider than this makes a run untrustworthy. */
export const RESOLUTION = 0.02

const times = (estimate: Estimate) => withCi(estimate, formatRatio)

/** Section 1: verification cost per algorithm, as ratios to raw jose in palindromic cycles. */
export async function runMicro(options: PalindromeOptions): Promise<Section> {
  const rows: string[][] = []
  const targets: Target[] = []
  const warnings: string[] = []
  for (const alg of ALGORITHMS) {
    const calls = await microCalls(alg)
    const variant = (name: string): Variant => {
      const call = calls.find((item) => item.name === name)!
      return { name, run: (count) => cpuOf(call.fn, count), check: call.check }
    }
    // Two runs: the close call (jose, jose again, miss: all three wait on WebCrypto's thread pool alike,
    // so none follows a slot that left the pool idle more often than another), then the cache hits,
    // 100-1000x apart from jose, in a shorter run of their own.
    const close = await palindromic([variant('jose'), variant('jose (A/A)'), variant('miss')], options)
    const far = await palindromic([variant('jose'), variant('hit'), variant('authenticate')], {
      ...options,
      cycles: Math.max(6, Math.ceil(options.cycles / 2)),
    })
    const cost = (name: string) => (close.get(name) ?? far.get(name))!
    const control = ratioCi(cost('jose (A/A)'), cost('jose'))
    const miss = ratioCi(cost('miss'), cost('jose'))
    const hit = inverse(ratioCi(far.get('hit')!, far.get('jose')!))
    const authenticate = inverse(ratioCi(far.get('authenticate')!, far.get('jose')!))
    const median = (name: string) =>
      formatNs(1000 * [...cost(name)].sort((a, b) => a - b)[cost(name).length >> 1]!)
    rows.push([
      alg,
      median('jose'),
      times(control),
      `${median('miss')}: ${times(miss)}`,
      `${median('hit')}: ${times(hit)} faster`,
      `${median('authenticate')}: ${times(authenticate)} faster`,
    ])
    targets.push(
      judge({
        name: `${alg} cache miss <= ${MISS_TARGET}x raw jose`,
        estimate: miss,
        limit: MISS_TARGET,
        better: 'lower',
        neutral: 1,
        control,
        format: formatRatio,
      }),
    )
    if (alg === 'ES256')
      targets.unshift(
        judge({
          name: `ES256 cache hit >= ${HIT_TARGET}x faster than jose`,
          estimate: hit,
          limit: HIT_TARGET,
          better: 'higher',
          neutral: 1,
          format: formatRatio,
        }),
      )
    const spread = spreadOf(control, 1)
    if (spread > RESOLUTION)
      warnings.push(
        `${alg}: the A/A control (jose against jose) strays ±${(spread * 100).toFixed(1)}% from 1.00x, more than the ${RESOLUTION * 100}% this bench must resolve: do not trust this run's ${alg} ratios; rerun on a quieter machine.`,
      )
    // A miss parses once and makes the same WebCrypto call jose makes: it can match jose, or beat it by
    // a parse, but a whole CI below both 1.00x and the A/A control is a red flag of method or machine.
    if (miss.high < Math.min(1, control.low))
      warnings.push(
        `${alg}: a cache miss read faster than jose with its whole CI, below the A/A control too (${times(miss)}); a miss does jose's work (one parse, one WebCrypto verify) in its own code, so this is a fault of method or of the machine, not a result.`,
      )
  }
  return {
    title: '1. Verification (micro)',
    intro: [
      'CPU time per call in this process (`process.cpuUsage()`, which counts the thread pool doing WebCrypto too),',
      `in ${options.cycles} palindromic cycles of jose, jose again (the A/A control) and the cache miss (J A M M A J, then`,
      `A M J J M A, ...; slots of ~${options.slotMs} ms of CPU in ${options.subSlots ?? 1} sub-slots whose median is the cycle's value, calibrated after a ${options.warmupMs} ms warm-up and again after one untimed cycle),`,
      'then in half as many cycles of jose, the cache hit and `authenticate` (100-1000x apart). Ratios are taken per',
      'cycle against `jose.jwtVerify` with a `CryptoKey` imported once; each shows the median with its 95%',
      'confidence interval (order statistics of the per-cycle ratios). The A/A column times jose against itself in',
      'its own slots: what "no difference" reads as in this run. Cache miss: `createAuth({ cache: false })`.',
      '`authenticate`: a Fetch `Request` with `Authorization: Bearer`, default sources (cookie, then bearer).',
    ].join(' '),
    header: [
      'alg',
      'jose.jwtVerify',
      'A/A (jose vs jose)',
      'verify, cache miss (vs jose)',
      'verify, cache hit',
      'authenticate(Request), hit',
    ],
    rows,
    targets,
    warnings,
  }
}
