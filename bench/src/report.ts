import type { Target, Verdict } from './verdict.js'

export type { Target } from './verdict.js'

/** One section of the report: a table, the targets it decides, and notes. */
export interface Section {
  readonly title: string
  readonly intro: string
  readonly header: readonly string[]
  readonly rows: readonly (readonly string[])[]
  readonly targets: readonly Target[]
  readonly notes?: readonly string[]
  /** Reasons not to trust this section's numbers (an A/A control too wide, an impossible ratio). */
  readonly warnings?: readonly string[]
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

const VERDICTS: Record<Verdict, string> = {
  met: 'met',
  missed: '**missed**',
  inconclusive: '_inconclusive_',
  'not measured': 'not measured',
}

export const verdict = (value: Verdict): string => VERDICTS[value]

export function renderSection(section: Section): string {
  const parts = [`## ${section.title}`, section.intro, markdownTable(section.header, section.rows)]
  if (section.targets.length > 0)
    parts.push(
      markdownTable(
        ['Target', 'Measured [95% CI]; A/A control', 'Verdict'],
        section.targets.map((target) => [target.name, target.measured, verdict(target.verdict)]),
      ),
    )
  for (const warning of section.warnings ?? []) parts.push(`> **Warning:** ${warning}`)
  if (section.notes?.length) parts.push(section.notes.join('\n\n'))
  return parts.join('\n\n')
}
