import type { RuleEntry, RuleSet } from '@portcullis/core'

/**
 * The rule sets `--fail-on` accepts: `unguarded-mutation` and `unguarded-subscription` (a public
 * mutation or subscription), `public-field` (any public procedure or field), `custom` (an entry
 * only opaque middleware decides), `at-resolve` (an entry the plugin decides when it resolves).
 *
 * @example
 * const policies: Policy[] = ['unguarded-mutation', 'custom']
 */
export type Policy =
  | 'unguarded-mutation'
  | 'unguarded-subscription'
  | 'public-field'
  | 'custom'
  | 'at-resolve'

const CHECKS: Record<Policy, (entry: RuleEntry) => boolean> = {
  'unguarded-mutation': (entry) => entry.kind === 'mutation' && entry.access === 'public',
  'unguarded-subscription': (entry) => entry.kind === 'subscription' && entry.access === 'public',
  'public-field': (entry) => entry.access === 'public',
  custom: (entry) => entry.access === 'custom',
  'at-resolve': (entry) => entry.atResolve,
}

/** Every policy name, in the order `--help` lists them. */
export const POLICIES: readonly Policy[] = Object.keys(CHECKS) as Policy[]

/**
 * Parses a `--fail-on` list (`unguarded-mutation,public-field`); an unknown name is a `TypeError`.
 *
 * @example
 * parsePolicies('unguarded-mutation,custom') // ['unguarded-mutation', 'custom']
 */
export function parsePolicies(value: string): Policy[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  for (const name of names)
    if (!(POLICIES as readonly string[]).includes(name))
      throw new TypeError(`--fail-on: unknown rule set "${name}" (known: ${POLICIES.join(', ')})`)
  return names as Policy[]
}

/** One entry that breaks one policy. */
export interface Violation {
  readonly policy: Policy
  readonly path: string
}

/**
 * The entries of a rule set that break the given policies, in path order.
 *
 * @example
 * violations(describeRules(appRouter), ['unguarded-mutation']) // [] when every mutation is guarded
 */
export function violations(rules: RuleSet, policies: readonly Policy[]): Violation[] {
  return rules.entries.flatMap((entry) =>
    policies.filter((policy) => CHECKS[policy](entry)).map((policy) => ({ policy, path: entry.path })),
  )
}
