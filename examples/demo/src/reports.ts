/** A report, the demo's one kind of data. */
export interface Report {
  readonly id: string
  readonly title: string
  readonly author: string
}

/**
 * The demo's reports, read by `reports.list` and `{ reports }`.
 *
 * @example
 * REPORTS[0]?.title // 'Q3 revenue'
 */
export const REPORTS: readonly Report[] = [
  { id: 'r1', title: 'Q3 revenue', author: 'alice' },
  { id: 'r2', title: 'Churn by region', author: 'bob' },
]
