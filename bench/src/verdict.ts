import { type Estimate, spreadOf } from './ci.js'

export type Verdict = 'met' | 'missed' | 'inconclusive' | 'not measured'

/** A target, and how this run judged it. */
export interface Target {
  readonly name: string
  readonly verdict: Verdict
  /** The estimate with its CI, and the A/A control it was read against. */
  readonly measured: string
}

/** A target to judge: an estimate, the line it must meet, and the A/A control measured beside it. */
export interface Goal {
  readonly name: string
  readonly estimate: Estimate
  /** The line: `estimate.point <= limit` (`better: 'lower'`) or `>= limit` (`'higher'`). */
  readonly limit: number
  readonly better: 'lower' | 'higher'
  /** What "no difference" reads as: 1 for a ratio, 0 for a difference. */
  readonly neutral: number
  /** The A/A control in the same unit; without one (a 2-4x peer gap) the verdict is never inconclusive. */
  readonly control?: Estimate
  readonly format: (value: number) => string
}

/** A distance from "no difference": a percentage for ratios, the measure's own unit otherwise. */
const spreadText = (distance: number, goal: Goal): string =>
  goal.neutral === 1 ? `±${(distance * 100).toFixed(1)}%` : `±${goal.format(distance)}`

/** `1.03x [1.01, 1.05]`: a point estimate and its confidence interval. */
export const withCi = (estimate: Estimate, format: (value: number) => string): string =>
  `${format(estimate.point)} [${format(estimate.low)}, ${format(estimate.high)}]`

/**
 * The verdict rule. A run that cannot resolve the target's margin (the distance from the target to "no
 * difference", 3% for ">= 97% of bare") says so: **inconclusive** when the A/A control's CI strays from
 * no difference by at least that margin. Otherwise **met** when the point estimate meets the target and
 * **missed** when it does not; `measured` then says whether the CI lies on one side of the line or
 * straddles it (a straddling CI is a close call that the next run may flip).
 *
 * @example
 * judge({ name: 'x', estimate, limit: 0.97, better: 'higher', neutral: 1, control, format: formatPercent })
 */
export function judge(goal: Goal): Target {
  const { estimate, limit, control, format } = goal
  const meets = (value: number) => (goal.better === 'lower' ? value <= limit : value >= limit)
  const straddles = meets(estimate.low) !== meets(estimate.high)
  const margin = Math.abs(limit - goal.neutral)
  const spread = control ? spreadOf(control, goal.neutral) : 0
  const parts = [`${withCi(estimate, format)}${straddles ? ', CI straddles the target' : ''}`]
  if (control) parts.push(`A/A ${withCi(control, format)}`)
  let verdict: Verdict = meets(estimate.point) ? 'met' : 'missed'
  if (Number.isNaN(estimate.point)) verdict = 'not measured'
  else if (control && spread >= margin) {
    verdict = 'inconclusive'
    parts.push(`A/A spread ${spreadText(spread, goal)} >= the target's margin ${spreadText(margin, goal)}`)
  }
  return { name: goal.name, verdict, measured: parts.join('; ') }
}

/** A target whose code is missing from this build. */
export const notMeasured = (name: string, why: string): Target => ({
  name,
  verdict: 'not measured',
  measured: why,
})
