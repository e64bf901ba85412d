import { accessOf, RULES_VERSION, type RuleEntry, type RuleRequirement, type RuleSet } from '@portcullis/core'
import { markOf } from './marks.js'
import { type AuthRequirements, requirementsOf } from './meta.js'

interface ProcedureLike {
  readonly _def: {
    readonly type?: unknown
    readonly meta?: object
    readonly middlewares?: readonly unknown[]
    readonly resolver?: unknown
  }
}

interface RouterLike {
  readonly _def: {
    readonly procedures: Readonly<Record<string, ProcedureLike>>
    readonly lazy?: Readonly<Record<string, unknown>>
  }
}

// tRPC's own middlewares: input and output parsing, error formatting. They decide nothing about access.
const BUILT_IN = new Set(['input', 'output', 'errors'])
const KINDS = new Set(['query', 'mutation', 'subscription'])

/** Whether a value is a tRPC v11 router, judged by its shape. */
export function isRouter(value: unknown): value is RouterLike {
  const def = (value as { _def?: { procedures?: unknown; router?: unknown } } | null)?._def
  return typeof def === 'object' && def !== null && def.router === true && typeof def.procedures === 'object'
}

const fromMeta = (layer: AuthRequirements): RuleRequirement[] => {
  const mode = layer.mode ?? 'all'
  const origin = { from: 'meta' } as const
  // The runtime checks scopes and roles one after the other, each under the layer's mode.
  const out: RuleRequirement[] = []
  if (layer.scopes) out.push({ scopes: [...layer.scopes], roles: [], mode, origin })
  if (layer.roles) out.push({ scopes: [], roles: [...layer.roles], mode, origin })
  return out.length > 0 ? out : [{ scopes: [], roles: [], mode, origin }]
}

function describeProcedure(path: string, procedure: ProcedureLike): RuleEntry {
  const { type, meta, middlewares: all = [], resolver } = procedure._def
  // tRPC runs the resolver as the chain's last middleware: it decides nothing about access.
  const middlewares = typeof resolver === 'function' ? all.slice(0, -1) : all
  const requirements: RuleRequirement[] = []
  const custom: string[] = []
  let metaRead = false
  let identityRequired = false
  for (const middleware of middlewares) {
    const found = markOf(middleware)
    if (!found) {
      const builtIn = (middleware as { _type?: unknown })._type
      if (typeof builtIn === 'string' && BUILT_IN.has(builtIn)) continue
      const name = (middleware as { name?: unknown }).name
      custom.push(typeof name === 'string' && name !== '' ? name : 'anonymous')
      continue
    }
    if (found.kind !== 'procedure') {
      const list = [...found.list]
      requirements.push({
        scopes: found.kind === 'scopes' ? list : [],
        roles: found.kind === 'roles' ? list : [],
        mode: found.mode,
        origin: { from: 'middleware' },
      })
      continue
    }
    // The same function the runtime calls reads the layers; a second auth middleware on the chain
    // (a concat) checks them again, which adds nothing.
    const layers = requirementsOf(meta)
    // protectedProcedure requires an identity itself; publicProcedure only because the meta declares rules.
    if ((found.required || layers.length > 0) && !identityRequired)
      requirements.push({
        scopes: [],
        roles: [],
        mode: 'all',
        origin: { from: found.required ? 'procedure' : 'meta' },
      })
    identityRequired ||= found.required || layers.length > 0
    if (!metaRead) requirements.push(...layers.flatMap(fromMeta))
    metaRead = true
  }
  const kind = KINDS.has(type as string) ? (type as RuleEntry['kind']) : 'query'
  return { path, kind, access: accessOf(requirements, custom), requirements, custom, atResolve: false }
}

/**
 * Every procedure of a tRPC router with its effective requirement, read from the same `meta`
 * layers and middlewares the runtime runs, without calling anything. A middleware not made by
 * `createAuthProcedures` shows as `custom`; a procedure with none at all as `public`.
 * Lazy routers not loaded yet are refused with a `TypeError`, not skipped: load them first.
 *
 * @example
 * const rules = describeRules(appRouter)
 * rules.entries.find((entry) => entry.path === 'reports.create')?.access // 'restricted'
 */
export function describeRules(router: unknown): RuleSet {
  if (!isRouter(router)) throw new TypeError('describeRules: expected a tRPC router (from t.router)')
  const lazy = Object.keys(router._def.lazy ?? {})
  if (lazy.length > 0)
    throw new TypeError(`describeRules: lazy routers are not loaded yet (${lazy.join(', ')})`)
  const entries = Object.entries(router._def.procedures)
    .map(([path, procedure]) => describeProcedure(path, procedure))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { version: RULES_VERSION, adapter: 'trpc', entries }
}
