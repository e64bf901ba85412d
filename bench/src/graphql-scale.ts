import { REQUIRES_SCOPES_DIRECTIVE_SDL, useGenericAuth } from '@envelop/generic-auth'
import { authDirectiveTypeDefs, useAuth } from '@portcullis/yoga'
import { createSchema, createYoga, type YogaServerInstance } from 'graphql-yoga'
import { importJWK, jwtVerify } from 'jose'
import { type Case, interleaved, type RoundOptions } from './harness.js'
import { benchAuth } from './http/ours.js'
import type { ServerKeys } from './http/peers.js'
import { httpKeys } from './http.js'
import type { Section, Target } from './report.js'
import { formatNs, formatRatio, median, medianRatio } from './stats.js'
import { AUDIENCE, ISSUER } from './tokens.js'

export const ITEMS = 1_000
export const SCALE_TARGET = 1.05
export const QUERY = '{ items { id name price cost supplier } }'

/** 1,000 objects with 5 fields; `cost` and `supplier` are the guarded ones. */
export const items = Array.from({ length: ITEMS }, (_, index) => ({
  id: String(index),
  name: `item ${index}`,
  price: index * 1.5,
  cost: index * 0.9,
  supplier: `supplier ${index % 17}`,
}))

/** The schema, with `guard` written after each guarded field (empty for no auth). */
export const typeDefs = (guard: string, prelude = '') => `${prelude}
  type Item { id: ID! name: String! price: Float! cost: Float ${guard} supplier: String ${guard} }
  type Query { items: [Item!]! }
`
export const resolvers = { Query: { items: () => items } }

// biome-ignore lint/suspicious/noExplicitAny: Yoga instances of any context
type AnyYoga = YogaServerInstance<any, any>

/** One way to serve the query, for the rules-at-scale benchmark. */
export interface ScaleScenario {
  readonly name: string
  readonly ours: boolean
  readonly create: (keys: ServerKeys) => AnyYoga | Promise<AnyYoga>
}

const yogaOptions = { logging: false, landingPage: false, graphiql: false } as const

export const SCALE_SCENARIOS: ScaleScenario[] = [
  {
    name: 'no auth',
    ours: false,
    create: () => createYoga({ ...yogaOptions, schema: createSchema({ typeDefs: typeDefs(''), resolvers }) }),
  },
  {
    name: 'useAuth (@auth(scopes))',
    ours: true,
    create: (keys) =>
      createYoga({
        ...yogaOptions,
        schema: createSchema({
          typeDefs: typeDefs('@auth(scopes: ["read:reports"])', authDirectiveTypeDefs),
          resolvers,
        }),
        plugins: [useAuth({ auth: benchAuth(keys) })],
      }),
  },
  {
    name: '@envelop/generic-auth (@requiresScopes)',
    ours: false,
    async create(keys) {
      const key = await importJWK(keys.publicJwk, 'ES256')
      return createYoga({
        ...yogaOptions,
        schema: createSchema({
          typeDefs: typeDefs('@requiresScopes(scopes: [["read:reports"]])', REQUIRES_SCOPES_DIRECTIVE_SDL),
          resolvers,
        }),
        plugins: [
          useGenericAuth({
            mode: 'protect-granular',
            resolveUserFn: async (ctx: { request: Request }) => {
              const header = ctx.request.headers.get('authorization')
              if (!header?.startsWith('Bearer ')) return null
              try {
                const options = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] }
                return (await jwtVerify(header.slice(7), key, options)).payload
              } catch {
                return null
              }
            },
          }),
        ],
      })
    },
  },
]

/** Section 3: a 1,000-item query with 2 guarded fields per item, as a ratio to the same query without auth. */
export async function runGraphqlScale(options: RoundOptions): Promise<Section> {
  const { keys, token } = await httpKeys()
  const headers = { authorization: `Bearer ${token}` }
  const url = `http://127.0.0.1/graphql?query=${encodeURIComponent(QUERY)}`
  const cases: Case[] = []
  for (const scenario of SCALE_SCENARIOS) {
    const yoga = await scenario.create(keys)
    const run = async () => {
      const response = await yoga.fetch(url, { headers })
      return response.text()
    }
    // Every field of every item must come back, guarded ones included.
    const body = JSON.parse(await run()) as {
      data?: { items: Array<Record<string, unknown>> }
      errors?: unknown
    }
    const last = body.data?.items[ITEMS - 1]
    if (
      body.errors ||
      body.data?.items.length !== ITEMS ||
      last?.supplier === undefined ||
      last.cost === null
    )
      throw new Error(`${scenario.name}: unexpected response ${JSON.stringify(body).slice(0, 300)}`)
    cases.push({ name: scenario.name, fn: run })
  }
  const times = await interleaved(cases, options)
  const base = times.get('no auth')!
  const rows: string[][] = []
  const targets: Target[] = []
  for (const scenario of SCALE_SCENARIOS) {
    const own = times.get(scenario.name)!
    const ratio = medianRatio(own, base)
    rows.push([
      scenario.ours ? `**${scenario.name}**` : scenario.name,
      formatNs(median(own)),
      scenario.name === 'no auth' ? '1.00x (baseline)' : formatRatio(ratio),
    ])
    if (scenario.ours)
      targets.push({
        name: `${scenario.name}: within ${SCALE_TARGET}x of no auth`,
        met: ratio <= SCALE_TARGET,
        measured: formatRatio(ratio),
      })
  }
  if (!SCALE_SCENARIOS.some((scenario) => scenario.ours))
    targets.push({
      name: `useAuth: within ${SCALE_TARGET}x of no auth`,
      met: undefined,
      measured: '`@portcullis/yoga` missing from this build',
    })
  const notes = SCALE_SCENARIOS.some((scenario) => scenario.ours)
    ? []
    : ['`@portcullis/yoga` was not available in this build, so only the peer was measured.']
  return {
    title: '3. GraphQL rules at scale',
    intro: [
      `\`${QUERY}\` returns ${ITEMS.toLocaleString('en')} objects with 5 fields, 2 of them guarded (need scope`,
      '`read:reports`, which the token has). Served in-process by `yoga.fetch` with the same ES256 bearer token,',
      `mean time per request, median of ${options.rounds} interleaved rounds; ratio to the same query without auth.`,
    ].join(' '),
    header: ['Setup', 'Time per request', 'vs no auth'],
    rows,
    targets,
    notes,
  }
}
