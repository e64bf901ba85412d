/** The median of a list of numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** The first and third quartiles (the middle half of the values lies between them). */
export function quartiles(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => {
    const position = (sorted.length - 1) * q
    const below = Math.floor(position)
    const above = Math.min(below + 1, sorted.length - 1)
    return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below)
  }
  return sorted.length === 0 ? [Number.NaN, Number.NaN] : [at(0.25), at(0.75)]
}

/** Per-round ratios `a[i] / b[i]`, so that a slow round slows both sides alike; then their median. */
export function medianRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((value, index) => value / b[index]!))
}

/** Formats a duration given in nanoseconds. */
export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`
  return `${ns.toFixed(0)} ns`
}

export const formatRatio = (ratio: number): string => `${ratio.toFixed(ratio >= 10 ? 1 : 2)}x`
export const formatPercent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`
export const formatBytes = (bytes: number): string =>
  Math.abs(bytes) >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(2)} MiB`
    : `${(bytes / 1024).toFixed(1)} KiB`
