import type { RuleEntry, RuleRequirement, RuleSet } from '@portcullis/core'

/**
 * One change between two rule sets: an entry `added`, `removed`, `opened` (a requirement or a
 * custom middleware gone, or new and public) or `tightened` (a requirement added).
 *
 * @example
 * const change: RuleChange = { path: 'users.delete', change: 'opened', before: 'restricted', after: 'public', detail: ['- roles admin (middleware)'] }
 */
export interface RuleChange {
  readonly path: string
  readonly change: 'added' | 'removed' | 'opened' | 'tightened'
  readonly before?: RuleEntry['access']
  readonly after?: RuleEntry['access']
  /** The requirements gone (`-`) and new (`+`), in words. */
  readonly detail: readonly string[]
}

// Origins do not matter for what is required: moving a rule from a field to its type opens nothing.
const keyOf = (rule: RuleRequirement) =>
  `${rule.mode}|${[...rule.scopes].sort().join(',')}|${[...rule.roles].sort().join(',')}`
const word = (rule: RuleRequirement) => {
  const parts = [
    rule.scopes.length > 0 ? `scopes ${rule.scopes.join(', ')}` : '',
    rule.roles.length > 0 ? `roles ${rule.roles.join(', ')}` : '',
  ].filter(Boolean)
  return `${parts.join(' + ') || 'identity'}${rule.mode === 'any' ? ' (any)' : ''}`
}

function compare(before: RuleEntry, after: RuleEntry): RuleChange | undefined {
  const old = new Map(before.requirements.map((rule) => [keyOf(rule), rule]))
  const now = new Map(after.requirements.map((rule) => [keyOf(rule), rule]))
  const gone = [...old].filter(([key]) => !now.has(key)).map(([, rule]) => `- ${word(rule)}`)
  const added = [...now].filter(([key]) => !old.has(key)).map(([, rule]) => `+ ${word(rule)}`)
  const lostCustom = before.custom
    .filter((name) => !after.custom.includes(name))
    .map((name) => `- custom ${name}`)
  const newCustom = after.custom
    .filter((name) => !before.custom.includes(name))
    .map((name) => `+ custom ${name}`)
  const opened = gone.length > 0 || lostCustom.length > 0
  const detail = [...gone, ...lostCustom, ...added, ...newCustom]
  if (detail.length === 0 && before.kind === after.kind) return undefined
  return {
    path: after.path,
    change: opened ? 'opened' : 'tightened',
    before: before.access,
    after: after.access,
    detail,
  }
}

/**
 * What changed from one rule set to the next, sorted by path; `opened` changes are the ones to
 * review. A new public entry counts as opened.
 *
 * @example
 * diffRules(JSON.parse(before), JSON.parse(after)).filter((change) => change.change === 'opened')
 */
export function diffRules(before: RuleSet, after: RuleSet): RuleChange[] {
  const old = new Map(before.entries.map((entry) => [entry.path, entry]))
  const changes: RuleChange[] = []
  for (const entry of after.entries) {
    const previous = old.get(entry.path)
    old.delete(entry.path)
    if (!previous) {
      changes.push({
        path: entry.path,
        change: entry.access === 'public' ? 'opened' : 'added',
        after: entry.access,
        detail: entry.requirements.map((rule) => `+ ${word(rule)}`),
      })
      continue
    }
    const change = compare(previous, entry)
    if (change) changes.push(change)
  }
  for (const entry of old.values())
    changes.push({ path: entry.path, change: 'removed', before: entry.access, detail: [] })
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/**
 * The changes as lines for a pull request: `! opened  users.delete  restricted -> public  - roles admin`.
 *
 * @example
 * console.log(formatDiff(diffRules(before, after)))
 */
export function formatDiff(changes: readonly RuleChange[]): string {
  if (changes.length === 0) return 'no change in who can call what'
  const mark = { opened: '!', added: '+', removed: '-', tightened: '~' } as const
  return changes
    .map((item) =>
      [
        mark[item.change],
        item.change.padEnd(9),
        item.path,
        `${item.before ?? '(none)'} -> ${item.after ?? '(none)'}`,
        item.detail.join('; '),
      ]
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}
