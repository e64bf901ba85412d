// The timing every A/B script of this folder shares: cases timed by the bench's own palindromic
// cycles (bench/src/palindrome.ts, built by `pnpm --filter @portcullis/bench build`), so an A/B gets
// the method the bench's A/A controls were measured with: slots of equal CPU time calibrated on warm
// code, palindromic order with a rotating start, a cycle's value the median of its sub-slots, a
// young-generation GC before each sub-slot (run node with --expose-gc). A script only builds its
// cases (`{ label: () => value }`) and summarises the per-cycle values this returns.
import { minorGc, palindromic } from '../dist/palindrome.js'

/** CPU µs of `count` calls of `fn`, awaiting only a thenable (a synchronous case pays no microtask). */
export async function cpuCalls(fn, count) {
  const started = process.cpuUsage()
  for (let index = 0; index < count; index++) {
    const value = fn()
    if (value && typeof value.then === 'function') await value
  }
  const { user, system } = process.cpuUsage(started)
  return user + system
}

/**
 * Times `cases` in palindromic cycles: per label, ns of CPU per call, one value per cycle (`rounds`
 * cycles of `ms` CPU milliseconds per slot). Labels keep their order.
 */
export async function timeCases(cases, { rounds = 31, ms = 40, subSlots = 4 } = {}) {
  const variants = Object.entries(cases).map(([name, fn]) => ({
    name,
    run: (count) => cpuCalls(fn, count),
    check: async () => {},
  }))
  const costs = await palindromic(variants, {
    cycles: rounds,
    slotMs: ms,
    warmupMs: 2 * ms,
    subSlots,
    settle: minorGc,
  })
  return Object.fromEntries([...costs].map(([label, values]) => [label, values.map((us) => us * 1000)]))
}

/** The `q` quantile of `values`, interpolated. */
export function quantile(values, q) {
  const sorted = [...values].sort((x, y) => x - y)
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low)
}
