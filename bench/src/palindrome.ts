/** One side of a comparison: something that runs units of work and reports the CPU time they took. */
export interface Variant {
  readonly name: string
  /** Runs `count` units (calls, requests) and resolves to the CPU microseconds they took. */
  readonly run: (count: number) => Promise<number>
  /** Throws unless the variant still answers correctly: called before the first timed slot and after the last. */
  readonly check: () => Promise<void>
}

export interface PalindromeOptions {
  /** Timed cycles; each runs every variant twice, in the order A B C C B A. */
  readonly cycles: number
  /** Milliseconds a slot should last: each variant's unit count is calibrated to it during warm-up. */
  readonly slotMs: number
  /** Milliseconds of warm-up per variant, before calibration. */
  readonly warmupMs: number
  /** Units of the first warm-up run (then doubled): large for HTTP, where a run has a fixed start-up cost. */
  readonly firstCount?: number
  /** The fewest units a slot may hold (autocannon needs at least one request per connection). */
  readonly minCount?: number
}

/** Per variant (by name): CPU microseconds per unit, one value per timed cycle. */
export type CycleCosts = Map<string, number[]>

/** Runs `count` units once and returns the wall-clock milliseconds it took. */
async function wallMs(variant: Variant, count: number): Promise<number> {
  const started = performance.now()
  await variant.run(count)
  return performance.now() - started
}

/**
 * Times `variants` in palindromic cycles (A B C C B A, then B C A A C B, ...): a drift of the machine's speed
 * that is linear over a cycle slows every variant of that cycle alike, so per-cycle ratios cancel it.
 * Every variant is warmed up, calibrated to slots of equal length (so each idles as long as the others
 * between its slots) and run through one untimed cycle before timing starts, so none is colder than
 * the rest. Every variant is checked before the first timed cycle and after the last: a wrong answer
 * stops the run rather than being timed.
 */
export async function palindromic(
  variants: readonly Variant[],
  options: PalindromeOptions,
): Promise<CycleCosts> {
  for (const variant of variants) await variant.check()
  const counts = new Map<Variant, number>()
  for (const variant of variants) {
    let count = options.firstCount ?? 1
    let spent = 0
    let last = await wallMs(variant, count)
    spent += last
    // Bounded: at most 64 warm-up runs, and the count stops doubling at 2^24 units.
    for (let runs = 1; spent < options.warmupMs && runs < 64; runs++) {
      if (last < options.warmupMs / 4 && count < 2 ** 24) count *= 2
      last = await wallMs(variant, count)
      spent += last
    }
    counts.set(
      variant,
      Math.max(options.minCount ?? 1, Math.round((count * options.slotMs) / Math.max(last, 0.001))),
    )
  }
  const costs: CycleCosts = new Map(variants.map((variant) => [variant.name, []]))
  for (let cycle = -1; cycle < options.cycles; cycle++) {
    // Each cycle starts one variant further on (A B C C B A, B C A A C B, ...): no variant always sits at
    // the seam where it runs twice in a row across two cycles, or always first after a check.
    const start = (cycle + 1) % variants.length
    const forward = variants.map((_, index) => variants[(index + start) % variants.length]!)
    const order = [...forward, ...[...forward].reverse()]
    const spent = new Map<Variant, number>(variants.map((variant) => [variant, 0]))
    for (const variant of order)
      spent.set(variant, spent.get(variant)! + (await variant.run(counts.get(variant)!)))
    // Cycle -1 only levels the warmth of every variant; it is not timed.
    if (cycle >= 0)
      for (const variant of variants)
        costs.get(variant.name)!.push(spent.get(variant)! / (2 * counts.get(variant)!))
  }
  for (const variant of variants) await variant.check()
  return costs
}

/** CPU microseconds that `count` sequential awaited calls of `fn` take, in this process. */
export async function cpuOf(fn: () => unknown, count: number): Promise<number> {
  const started = process.cpuUsage()
  for (let index = 0; index < count; index++) await fn()
  const { user, system } = process.cpuUsage(started)
  return user + system
}
