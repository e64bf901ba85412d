/** A target from issue 7, and whether this run met it. */
export interface Target {
  readonly name: string
  /** `undefined` when the code under test is missing from this build. */
  readonly met: boolean | undefined
  readonly measured: string
}

/** One section of the report: a table, the targets it decides, and notes. */
export interface Section {
  readonly title: string
  readonly intro: string
  readonly header: readonly string[]
  readonly rows: readonly (readonly string[])[]
  readonly targets: readonly Target[]
  readonly notes?: readonly string[]
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export const verdict = (met: boolean | undefined): string =>
  met === undefined ? 'not measured' : met ? 'met' : '**not met**'

export function renderSection(section: Section): string {
  const parts = [`## ${section.title}`, section.intro, markdownTable(section.header, section.rows)]
  if (section.targets.length > 0)
    parts.push(
      markdownTable(
        ['Target', 'Measured', 'Verdict'],
        section.targets.map((target) => [target.name, target.measured, verdict(target.met)]),
      ),
    )
  if (section.notes?.length) parts.push(section.notes.join('\n\n'))
  return parts.join('\n\n')
}
