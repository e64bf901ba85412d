/**
 * The version of the {@link RuleSet} JSON shape. It changes only when a field changes meaning or
 * goes away; new optional fields keep it.
 */
export const RULES_VERSION = 1 as const

/**
 * Where a requirement was declared. tRPC: `procedure` (`protectedProcedure`), `meta`
 * (`.meta({ auth })`), `middleware` (`requireScopes` / `requireRoles`). GraphQL: `field` (`@auth`
 * or `extensions.auth` on the field), `type` (on the field's parent type), `interface` (on an
 * interface the parent implements, or on the same field of it), `target` (on the type the field
 * returns: reaching it at all needs its rules), `protectAll` (the plugin option).
 *
 * @example
 * const origin: RuleOrigin = { from: 'type', at: 'AdminStats' }
 */
export interface RuleOrigin {
  readonly from:
    | 'procedure'
    | 'meta'
    | 'middleware'
    | 'field'
    | 'type'
    | 'interface'
    | 'target'
    | 'protectAll'
  /** The schema element that declared it (`Node.id`, `AdminStats`); absent for tRPC. */
  readonly at?: string
}

/**
 * One requirement: an identity, plus the scopes and roles under `mode`. Empty lists mean "any
 * identity". Every requirement of an entry must hold.
 *
 * @example
 * const rule: RuleRequirement = { scopes: ['write:reports'], roles: [], mode: 'all', origin: { from: 'middleware' } }
 */
export interface RuleRequirement {
  readonly scopes: readonly string[]
  readonly roles: readonly string[]
  /** `all`: every listed scope and role; `any`: at least one of them. */
  readonly mode: 'all' | 'any'
  readonly origin: RuleOrigin
}

/**
 * The summary of an entry: `public` (nothing required), `authenticated` (any identity),
 * `restricted` (scopes or roles), `custom` (only opaque middleware decides: never read as public).
 *
 * @example
 * const access: RuleAccess = 'restricted'
 */
export type RuleAccess = 'public' | 'authenticated' | 'restricted' | 'custom'

/**
 * The effective requirement of one tRPC procedure or one GraphQL field.
 *
 * @example
 * const entry: RuleEntry = {
 *   path: 'Mutation.createReport',
 *   kind: 'mutation',
 *   access: 'restricted',
 *   requirements: [{ scopes: ['write:reports'], roles: [], mode: 'all', origin: { from: 'field', at: 'Mutation.createReport' } }],
 *   custom: [],
 *   atResolve: false,
 * }
 */
export interface RuleEntry {
  /** A procedure's path (`reports.create`) or a field's coordinate (`Query.me`). */
  readonly path: string
  /** The operation of a procedure or root field; `field` for a field below the root types. */
  readonly kind: 'query' | 'mutation' | 'subscription' | 'field'
  readonly access: RuleAccess
  /** Every requirement that must hold, in the order the runtime checks them. */
  readonly requirements: readonly RuleRequirement[]
  /** Opaque middlewares that also run before the procedure (their function names, or `anonymous`). */
  readonly custom: readonly string[]
  /**
   * True where the plugin can only decide when the field resolves (selected through an interface
   * whose implementations ask for more, or `onDeny: 'null'`): the requirements still hold.
   */
  readonly atResolve: boolean
}

/**
 * What `describeRules` returns in `@portcullis/trpc` and `@portcullis/yoga`, and what
 * `portcullis audit --json` prints: one versioned shape for both, entries sorted by path.
 *
 * @example
 * const rules: RuleSet = { version: RULES_VERSION, adapter: 'trpc', entries: [] }
 */
export interface RuleSet {
  readonly version: typeof RULES_VERSION
  readonly adapter: 'trpc' | 'graphql'
  readonly entries: readonly RuleEntry[]
}

/**
 * The access summary of a list of requirements and opaque middlewares, as every adapter computes it.
 *
 * @example
 * accessOf([], ['rateLimit']) // 'custom'
 */
export function accessOf(requirements: readonly RuleRequirement[], custom: readonly string[]): RuleAccess {
  if (requirements.some((rule) => rule.scopes.length > 0 || rule.roles.length > 0)) return 'restricted'
  if (requirements.length > 0) return 'authenticated'
  return custom.length > 0 ? 'custom' : 'public'
}
