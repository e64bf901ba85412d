/** A point estimate with its confidence interval. */
export interface Estimate {
  /** The median of the per-cycle values. */
  readonly point: number
  readonly low: number
  readonly high: number
  /** The interval's exact coverage (about 0.95; lower when there are too few cycles for 95%). */
  readonly coverage: number
  /** How many per-cycle values the estimate rests on. */
  readonly cycles: number
}

/** P(X <= k) for X ~ Binomial(n, 1/2). */
function binomialCdf(n: number, k: number): number {
  let term = 0.5 ** n
  let sum = term
  for (let index = 1; index <= k; index++) {
    term = (term * (n - index + 1)) / index
    sum += term
  }
  return sum
}

/**
 * The median of `values` with its distribution-free confidence interval: the order statistics
 * `x(k)` and `x(n+1-k)`, for the largest `k` whose coverage `1 - 2 P(Binomial(n, 1/2) <= k - 1)` is still
 * at least `confidence`. Nothing is assumed about the values' distribution, only that cycles are
 * independent. With fewer than 6 values no 95% interval exists: the range is returned, with its coverage.
 *
 * @example
 * medianCi([1.02, 1.01, 1.03, 1.02, 1.04, 1.00, 1.02, 1.03]) // { point: 1.02, low: 1.00, high: 1.04, ... }
 */
export function medianCi(values: readonly number[], confidence = 0.95): Estimate {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return { point: Number.NaN, low: Number.NaN, high: Number.NaN, coverage: 0, cycles: 0 }
  const middle = n >> 1
  const point = n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
  let k = 1
  while (k + 1 <= middle && 1 - 2 * binomialCdf(n, k) >= confidence) k++
  return {
    point,
    low: sorted[k - 1]!,
    high: sorted[n - k]!,
    coverage: 1 - 2 * binomialCdf(n, k - 1),
    cycles: n,
  }
}

/** Per-cycle ratios `a[i] / b[i]` (a slow cycle slows both sides alike), as a median with its CI. */
export const ratioCi = (a: readonly number[], b: readonly number[]): Estimate =>
  medianCi(a.map((value, index) => value / b[index]!))

/** Per-cycle differences `a[i] - b[i]`, as a median with its CI. */
export const differenceCi = (a: readonly number[], b: readonly number[]): Estimate =>
  medianCi(a.map((value, index) => value - b[index]!))

/** `1 / x` of an estimate: a cost ratio turned into a capacity ratio (the interval flips). */
export const inverse = (estimate: Estimate): Estimate => ({
  ...estimate,
  point: 1 / estimate.point,
  low: 1 / estimate.high,
  high: 1 / estimate.low,
})

/** How far an A/A control strays from no difference: the larger distance of its CI's ends from `neutral`. */
export const spreadOf = (control: Estimate, neutral: number): number =>
  Math.max(Math.abs(control.low - neutral), Math.abs(control.high - neutral))
