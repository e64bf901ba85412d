import { type Auth, createAuth } from '@portcullis/core'
import { jwtVerify } from 'jose'
import { type Case, interleaved, type RoundOptions } from './harness.js'
import type { Section, Target } from './report.js'
import { formatNs, formatRatio, median, medianRatio } from './stats.js'
import {
  ALGORITHMS,
  AUDIENCE,
  type BenchAlgorithm,
  ISSUER,
  type KeyMaterial,
  keyMaterial,
  signToken,
} from './tokens.js'

/** A Portcullis verifier for one algorithm's key material, configured as users would. */
export function portcullisFor(material: KeyMaterial, cache: boolean): Auth {
  const common = { issuer: ISSUER, audience: AUDIENCE, cache: cache ? undefined : (false as const) }
  return material.secret
    ? createAuth({ ...common, secret: material.secret })
    : createAuth({ ...common, jwks: { keys: [material.publicJwk!] } })
}

export interface MicroSetup {
  readonly alg: BenchAlgorithm
  readonly cases: Case[]
}

/** The four ways to verify one token, for one algorithm. Each case is checked once before timing. */
export async function microCases(alg: BenchAlgorithm): Promise<MicroSetup> {
  const material = await keyMaterial(alg)
  const token = await signToken(material)
  const cached = portcullisFor(material, true)
  const uncached = portcullisFor(material, false)
  const request = new Request('http://127.0.0.1/graphql', { headers: { authorization: `Bearer ${token}` } })
  const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] }

  const cases: Case[] = [
    { name: `${alg} jose.jwtVerify`, fn: () => jwtVerify(token, material.verifyKey, joseOptions) },
    { name: `${alg} verify (cache miss)`, fn: () => uncached.verify(token) },
    { name: `${alg} verify (cache hit)`, fn: () => cached.verify(token) },
    { name: `${alg} authenticate (cache hit)`, fn: () => cached.authenticate(request) },
  ]
  // Fail loudly rather than time a rejection path.
  await jwtVerify(token, material.verifyKey, joseOptions)
  if ((await uncached.verify(token)).subject !== 'alice') throw new Error(`${alg}: verify failed`)
  if ((await cached.verify(token)).subject !== 'alice') throw new Error(`${alg}: verify failed`)
  const result = await cached.authenticate(request)
  if (result.status !== 'authenticated') throw new Error(`${alg}: authenticate gave ${result.status}`)
  return { alg, cases }
}

export const HIT_TARGET = 20
export const MISS_TARGET = 1.15

/** Section 1: verification cost per algorithm, as ratios to raw jose measured in the same rounds. */
export async function runMicro(options: RoundOptions): Promise<Section> {
  const rows: string[][] = []
  const targets: Target[] = []
  for (const alg of ALGORITHMS) {
    const { cases } = await microCases(alg)
    const times = await interleaved(cases, options)
    const [jose, miss, hit, authenticate] = cases.map((item) => times.get(item.name)!) as [
      number[],
      number[],
      number[],
      number[],
    ]
    const missRatio = medianRatio(miss, jose)
    const hitSpeedup = medianRatio(jose, hit)
    const authSpeedup = medianRatio(jose, authenticate)
    rows.push([
      alg,
      formatNs(median(jose)),
      `${formatNs(median(miss))} (${formatRatio(missRatio)})`,
      `${formatNs(median(hit))} (${formatRatio(hitSpeedup)} faster)`,
      `${formatNs(median(authenticate))} (${formatRatio(authSpeedup)} faster)`,
    ])
    targets.push({
      name: `${alg} cache miss within ${MISS_TARGET}x of jose`,
      met: missRatio <= MISS_TARGET,
      measured: formatRatio(missRatio),
    })
    if (alg === 'ES256')
      targets.unshift({
        name: `ES256 cache hit >= ${HIT_TARGET}x faster than jose`,
        met: hitSpeedup >= HIT_TARGET,
        measured: `${formatRatio(hitSpeedup)} faster`,
      })
  }
  return {
    title: '1. Verification (micro)',
    intro: [
      `Mean time per call, median of ${options.rounds} interleaved rounds (${options.time} ms per case per round).`,
      'Ratios are per-round ratios to `jose.jwtVerify` with a `CryptoKey` imported once (the cost of the signature',
      'check itself), then their median. Cache miss: `createAuth({ cache: false })`. `authenticate`: a Fetch',
      '`Request` with `Authorization: Bearer`, default sources (cookie, then bearer).',
    ].join(' '),
    header: [
      'alg',
      'jose.jwtVerify',
      'verify, cache miss (vs jose)',
      'verify, cache hit',
      'authenticate(Request), hit',
    ],
    rows,
    targets,
  }
}
