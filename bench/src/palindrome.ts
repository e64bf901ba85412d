/** One side of a comparison: something that runs units of work and reports the CPU time they took. */
export interface Variant {
  readonly name: string
  /** Runs `count` units (calls, requests) and resolves to the CPU microseconds they took. */
  readonly run: (count: number) => Promise<number>
  /** Throws unless the variant still answers correctly: called before the first timed slot and after the last. */
  readonly check: () => Promise<void>
  /**
   * Called before each timed sub-slot, outside the timed region: a young-generation GC in the process
   * that does the work, so that no slot pays for the garbage an earlier slot left. Optional.
   */
  readonly settle?: () => Promise<void>
}

export interface PalindromeOptions {
  /** Timed cycles; each runs every variant twice, in the order A B C C B A. */
  readonly cycles: number
  /** CPU milliseconds a slot should hold: each variant's unit count is calibrated to it. */
  readonly slotMs: number
  /** Milliseconds of CPU warm-up per variant, before the first calibration. */
  readonly warmupMs: number
  /** Units of the first warm-up run (then doubled): large for HTTP, where a run has a fixed start-up cost. */
  readonly firstCount?: number
  /** The fewest units a sub-slot may hold (a load client needs at least one request per connection). */
  readonly minCount?: number
  /**
   * Sub-slots per slot (default 1). A cycle's value for a variant is the median of its `2 × subSlots`
   * per-unit costs: a neighbour that evicts the caches or a stray background job inflates one sub-slot,
   * never deflates one, and the median drops it where a mean would carry it into the cycle.
   */
  readonly subSlots?: number
  /**
   * Runs a cycle's sub-slots as `subSlots` rounds of its order (A B B A, A B B A, ...) instead of each
   * slot's sub-slots back to back (A A B B B B A A). For servers in processes of their own: a slow
   * spell of the host then hits a few sub-slots of every variant rather than all of one variant's slot
   * (served A/A ±9-13% -> ±2-4%). Not for in-process variants, which share one process's caches and
   * JIT state: switching every sub-slot made each pay for the switch (GraphQL at scale A/A ±1-2% -> ±8%).
   */
  readonly interleave?: boolean
  /** The `settle` of every variant that has none of its own (`minorGc` for in-process sections). */
  readonly settle?: () => Promise<void>
}

/** Per variant (by name): CPU microseconds per unit, one value per timed cycle. */
export type CycleCosts = Map<string, number[]>

/** The median of a few numbers (the mean of the middle two for an even count). */
function middle(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const half = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2
}

/** Units that fill `slotMs` of CPU at `perUnit` CPU µs each, but never fewer than `floor`. */
const unitsFor = (slotMs: number, perUnit: number, floor: number): number =>
  Math.max(floor, Math.round((slotMs * 1000) / Math.max(perUnit, 0.001)))

/**
 * Times `variants` in palindromic cycles (A B C C B A, then B C A A C B, ...): a drift of the machine's speed
 * that is linear over a cycle slows every variant of that cycle alike, so per-cycle ratios cancel it.
 * Every variant is warmed up and calibrated so that its slots hold equal CPU time (so each works and
 * idles as long as the others), runs through one untimed cycle, from which it is calibrated again
 * (warm by then: the first calibration, on colder code, holds too few units), before timing starts.
 * Every variant is checked before the first timed cycle and after the last: a wrong answer stops the
 * run rather than being timed.
 */
export async function palindromic(
  variants: readonly Variant[],
  options: PalindromeOptions,
): Promise<CycleCosts> {
  for (const variant of variants) await variant.check()
  const subSlots = Math.max(1, options.subSlots ?? 1)
  const floor = options.minCount ?? 1
  const counts = new Map<Variant, number>()
  for (const variant of variants) {
    // Calibrated on the CPU time `run` reports, not on wall time: on a busy machine wall time includes
    // waiting for a core, which would shrink the slots of whichever variant was calibrated at a bad time.
    let count = options.firstCount ?? 1
    let last = (await variant.run(count)) / 1000
    let spent = last
    // Bounded: at most 64 warm-up runs, and the count stops doubling at 2^24 units.
    for (let runs = 1; spent < options.warmupMs && runs < 64; runs++) {
      if (last < options.warmupMs / 4 && count < 2 ** 24) count *= 2
      last = (await variant.run(count)) / 1000
      spent += last
    }
    counts.set(variant, unitsFor(options.slotMs / subSlots, (last * 1000) / count, floor))
  }
  const costs: CycleCosts = new Map(variants.map((variant) => [variant.name, []]))
  for (let cycle = -1; cycle < options.cycles; cycle++) {
    // Each cycle starts one variant further on (A B C C B A, B C A A C B, ...): no variant always sits at
    // the seam where it runs twice in a row across two cycles, or always first after a check.
    const start = (cycle + 1) % variants.length
    const forward = variants.map((_, index) => variants[(index + start) % variants.length]!)
    const order = [...forward, ...[...forward].reverse()]
    const perUnit = new Map<Variant, number[]>(variants.map((variant) => [variant, []]))
    const runs = options.interleave
      ? Array.from({ length: subSlots }, () => order).flat()
      : order.flatMap((variant) => Array.from({ length: subSlots }, () => variant))
    for (const variant of runs) {
      await (variant.settle ?? options.settle)?.()
      const count = counts.get(variant)!
      perUnit.get(variant)!.push((await variant.run(count)) / count)
    }
    if (cycle < 0)
      // Cycle -1 only levels the warmth of every variant, and calibrates each again on warm code.
      for (const variant of variants)
        counts.set(variant, unitsFor(options.slotMs / subSlots, middle(perUnit.get(variant)!), floor))
    else for (const variant of variants) costs.get(variant.name)!.push(middle(perUnit.get(variant)!))
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

/**
 * A young-generation GC of this process, for `Variant.settle`: a no-op unless Node runs with
 * `--expose-gc` (as `pnpm bench` does). A full GC is not used: forced every slot, it ages and flushes
 * compiled code and makes every slot slower and noisier.
 */
export async function minorGc(): Promise<void> {
  const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc
  gc?.({ type: 'minor' })
}
