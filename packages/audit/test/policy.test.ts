import { parsePolicies, violations } from '@portcullis/audit'
import type { RuleEntry } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

const entry = (
  path: string,
  kind: RuleEntry['kind'],
  access: RuleEntry['access'],
  atResolve = false,
): RuleEntry => ({
  path,
  kind,
  access,
  requirements: [],
  custom: access === 'custom' ? ['rateLimit'] : [],
  atResolve,
})
const rules = {
  version: 1,
  adapter: 'graphql',
  entries: [
    entry('Mutation.open', 'mutation', 'public'),
    entry('Mutation.limited', 'mutation', 'custom'),
    entry('Query.health', 'query', 'public'),
    entry('Subscription.ticks', 'subscription', 'public'),
    entry('User.email', 'field', 'restricted', true),
  ],
} as const

describe('violations', () => {
  it('names each entry that breaks each rule set', () => {
    expect(
      violations(rules, parsePolicies('unguarded-mutation,unguarded-subscription,custom,at-resolve')),
    ).toEqual([
      { policy: 'unguarded-mutation', path: 'Mutation.open' },
      { policy: 'custom', path: 'Mutation.limited' },
      { policy: 'unguarded-subscription', path: 'Subscription.ticks' },
      { policy: 'at-resolve', path: 'User.email' },
    ])
    expect(violations(rules, ['public-field']).map((item) => item.path)).toEqual([
      'Mutation.open',
      'Query.health',
      'Subscription.ticks',
    ])
  })

  it('refuses an unknown rule set by name', () => {
    expect(() => parsePolicies('unguarded-mutation, everything')).toThrow(
      new TypeError(
        '--fail-on: unknown rule set "everything" (known: unguarded-mutation, unguarded-subscription, public-field, custom, at-resolve)',
      ),
    )
  })
})
