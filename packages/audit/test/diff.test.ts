import { diffRules, formatDiff } from '@portcullis/audit'
import type { RuleEntry, RuleSet } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

const identity = { scopes: [], roles: [], mode: 'all', origin: { from: 'procedure' } } as const
const admin = { scopes: [], roles: ['admin'], mode: 'all', origin: { from: 'middleware' } } as const
const entry = (path: string, requirements: RuleEntry['requirements'], custom: string[] = []): RuleEntry => ({
  path,
  kind: 'mutation',
  access: requirements.length > 0 ? 'restricted' : custom.length > 0 ? 'custom' : 'public',
  requirements,
  custom,
  atResolve: false,
})
const set = (...entries: RuleEntry[]): RuleSet => ({ version: 1, adapter: 'trpc', entries })

describe('diffRules', () => {
  it('calls a lost requirement, a lost custom middleware and a new public entry "opened"', () => {
    const before = set(
      entry('users.delete', [identity, admin]),
      entry('users.limit', [], ['rateLimit']),
      entry('users.old', [identity]),
    )
    const after = set(entry('users.delete', [identity]), entry('users.limit', []), entry('users.wipe', []))
    expect(diffRules(before, after)).toEqual([
      {
        path: 'users.delete',
        change: 'opened',
        before: 'restricted',
        after: 'restricted',
        detail: ['- roles admin'],
      },
      {
        path: 'users.limit',
        change: 'opened',
        before: 'custom',
        after: 'public',
        detail: ['- custom rateLimit'],
      },
      { path: 'users.old', change: 'removed', before: 'restricted', detail: [] },
      { path: 'users.wipe', change: 'opened', after: 'public', detail: [] },
    ])
  })

  it('calls an added requirement "tightened", a guarded new entry "added", and ignores moved origins', () => {
    const before = set(entry('a', [identity]), entry('b', [{ ...admin, origin: { from: 'meta' } }]))
    const after = set(entry('a', [identity, admin]), entry('b', [admin]), entry('c', [identity]))
    expect(diffRules(before, after).map((item) => [item.path, item.change, item.detail])).toEqual([
      ['a', 'tightened', ['+ roles admin']],
      ['c', 'added', ['+ identity']],
    ])
    expect(formatDiff(diffRules(before, before))).toBe('no change in who can call what')
  })
})
