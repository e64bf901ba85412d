import { REQUIRES_SCOPES_DIRECTIVE_SDL, useGenericAuth } from '@envelop/generic-auth'
import { authDirectiveTypeDefs, useAuth } from '@portcullis/yoga'
import { createSchema, createYoga, type YogaServerInstance } from 'graphql-yoga'
import { importJWK, jwtVerify } from 'jose'
import { ratioCi, spreadOf } from './ci.js'
import { benchAuth } from './http/ours.js'
import type { ServerKeys } from './http/peers.js'
import { httpKeys } from './http.js'
import { RESOLUTION } from './micro.js'
import { cpuOf, type PalindromeOptions, palindromic, type Variant } from './palindrome.js'
import type { Section } from './report.js'
import { formatRatio, median } from './stats.js'
import { AUDIENCE, ISSUER } from './tokens.js'
import { judge, type Target, withCi } from './verdict.js'

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

const noAuth = () =>
  createYoga({ ...yogaOptions, schema: createSchema({ typeDefs: typeDefs(''), resolvers }) })
const withUseAuth = (keys: ServerKeys, onDeny: 'reject' | 'null') =>
  createYoga({
    ...yogaOptions,
    schema: createSchema({
      typeDefs: typeDefs('@auth(scopes: ["read:reports"])', authDirectiveTypeDefs),
      resolvers,
    }),
    plugins: [useAuth({ auth: benchAuth(keys), onDeny })],
  })

/** The A/A control: the baseline again, a second app in its own slots. */
export const CONTROL = 'no auth (A/A)'

export const SCALE_SCENARIOS: ScaleScenario[] = [
  { name: 'no auth', ours: false, create: noAuth },
  { name: CONTROL, ours: false, create: noAuth },
  { name: 'useAuth (@auth(scopes))', ours: true, create: (keys) => withUseAuth(keys, 'reject') },
  {
    name: "useAuth (@auth(scopes)), onDeny: 'null'",
    ours: true,
    create: (keys) => withUseAuth(keys, 'null'),
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
export async function runGraphqlScale(options: PalindromeOptions): Promise<Section> {
  const { keys, token } = await httpKeys()
  const headers = { authorization: `Bearer ${token}` }
  const url = `http://127.0.0.1/graphql?query=${encodeURIComponent(QUERY)}`
  const variants: Variant[] = []
  for (const scenario of SCALE_SCENARIOS) {
    const yoga = await scenario.create(keys)
    const call = async () => (await yoga.fetch(url, { headers })).text()
    // Every field of every item must come back, guarded ones included.
    const check = async () => {
      const body = JSON.parse(await call()) as {
        data?: { items: Array<Record<string, unknown>> }
        errors?: unknown
      }
      const last = body.data?.items[ITEMS - 1]
      if (
        body.errors ||
        body.data?.items.length !== ITEMS ||
        last?.supplier !== 'supplier 13' ||
        last.cost === null
      )
        throw new Error(`${scenario.name}: unexpected response ${JSON.stringify(body).slice(0, 300)}`)
    }
    variants.push({ name: scenario.name, run: (count) => cpuOf(call, count), check })
  }
  const costs = await palindromic(variants, options)
  const base = costs.get('no auth')!
  const control = ratioCi(costs.get(CONTROL)!, base)
  const rows: string[][] = []
  const targets: Target[] = []
  for (const scenario of SCALE_SCENARIOS) {
    const own = costs.get(scenario.name)!
    const ratio = ratioCi(own, base)
    rows.push([
      scenario.ours ? `**${scenario.name}**` : scenario.name,
      `${median(own).toFixed(0)} µs`,
      scenario.name === 'no auth' ? '1.00x (baseline)' : withCi(ratio, formatRatio),
    ])
    if (scenario.ours)
      targets.push(
        judge({
          name: `${scenario.name}: within ${SCALE_TARGET}x of no auth`,
          estimate: ratio,
          limit: SCALE_TARGET,
          better: 'lower',
          neutral: 1,
          control,
          format: formatRatio,
        }),
      )
  }
  const spread = spreadOf(control, 1)
  return {
    title: '3. GraphQL rules at scale',
    intro: [
      `\`${QUERY}\` returns ${ITEMS.toLocaleString('en')} objects with 5 fields, 2 of them guarded (need scope`,
      '`read:reports`, which the token has). Served in-process by `yoga.fetch` with the same ES256 bearer token;',
      `CPU time per request (\`process.cpuUsage()\`) in ${options.cycles} palindromic cycles of ~${options.slotMs} ms slots,`,
      'the ratio to the same query without auth taken per cycle: median [95% CI]. "no auth (A/A)" is a second,',
      'identical app without auth in its own slots: the control for what "no difference" reads as.',
    ].join(' '),
    header: ['Setup', 'CPU per request (median cycle)', 'vs no auth [95% CI]'],
    rows,
    targets,
    warnings:
      spread > RESOLUTION
        ? [
            `the A/A control (no auth against no auth) strays ±${(spread * 100).toFixed(1)}% from 1.00x, more than the ${RESOLUTION * 100}% this bench must resolve: do not trust this section's ratios.`,
          ]
        : [],
  }
}
