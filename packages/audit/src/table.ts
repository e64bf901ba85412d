import type { RuleEntry, RuleRequirement, RuleSet } from '@portcullis/core'

const list = (items: readonly string[], mode: string) =>
  items.length > 1 && mode === 'any' ? `any of ${items.join(', ')}` : items.join(', ')

/**
 * One requirement in words: `identity`, `scopes read:reports`, `roles any of auditor, admin`.
 *
 * @example
 * describeRequirement({ scopes: ['a'], roles: [], mode: 'all', origin: { from: 'meta' } }) // 'scopes a (meta)'
 */
export function describeRequirement(rule: RuleRequirement): string {
  const parts: string[] = []
  if (rule.scopes.length > 0 && rule.roles.length > 0 && rule.mode === 'any')
    parts.push(`any of scopes ${rule.scopes.join(', ')} / roles ${rule.roles.join(', ')}`)
  else {
    if (rule.scopes.length > 0) parts.push(`scopes ${list(rule.scopes, rule.mode)}`)
    if (rule.roles.length > 0) parts.push(`roles ${list(rule.roles, rule.mode)}`)
  }
  const origin = rule.origin.at ? `${rule.origin.from} ${rule.origin.at}` : rule.origin.from
  return `${parts.length > 0 ? parts.join(' + ') : 'identity'} (${origin})`
}

const requires = (entry: RuleEntry) =>
  [
    ...entry.requirements.map(describeRequirement),
    ...entry.custom.map((name) => `custom ${name}`),
    ...(entry.atResolve ? ['checked at resolve time'] : []),
  ].join('; ') || '-'

/**
 * The rule set as an aligned text table: path, kind, access, and what is required, from where.
 *
 * @example
 * console.log(formatTable(describeRules(appRouter)))
 */
export function formatTable(rules: RuleSet): string {
  const rows = [
    ['PATH', 'KIND', 'ACCESS', 'REQUIRES'],
    ...rules.entries.map((entry) => [entry.path, entry.kind, entry.access, requires(entry)]),
  ]
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}
