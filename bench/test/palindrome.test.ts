import { describe, expect, it } from 'vitest'
import { palindromic, type Variant } from '../src/palindrome.js'

const options = { cycles: 3, slotMs: 1, warmupMs: 1 }

/** A variant that records when it runs and costs `cost` µs per unit. */
function recorded(name: string, log: string[], cost = 1): Variant {
  return {
    name,
    run: async (count) => {
      log.push(name)
      return cost * count
    },
    check: async () => {
      log.push(`check ${name}`)
    },
  }
}

describe('palindromic', () => {
  it('checks every variant, runs palindromic cycles whose start rotates, then checks again', async () => {
    const log: string[] = []
    const costs = await palindromic([recorded('A', log), recorded('B', log), recorded('C', log)], options)
    const checks = log.filter((entry) => entry.startsWith('check'))
    expect(checks).toEqual(['check A', 'check B', 'check C', 'check A', 'check B', 'check C'])
    // Before the closing checks: one untimed cycle and three timed ones, each a palindrome.
    expect(log.slice(0, -3).slice(-24)).toEqual(
      ['ABCCBA', 'BCAACB', 'CABBAC', 'ABCCBA'].flatMap((cycle) => cycle.split('')),
    )
    expect(costs.get('A')).toHaveLength(3)
  })

  it('reports CPU time per unit, one value per timed cycle', async () => {
    const costs = await palindromic([recorded('cheap', [], 2), recorded('dear', [], 5)], options)
    expect(costs.get('cheap')).toEqual([2, 2, 2])
    expect(costs.get('dear')).toEqual([5, 5, 5])
  })

  it('refuses to time a variant that answers wrongly before timing', async () => {
    const runs: number[] = []
    const broken: Variant = {
      name: 'broken',
      run: async (count) => {
        runs.push(count)
        return count
      },
      check: async () => {
        throw new Error('broken: expected {"subject":"alice"}, got 401')
      },
    }
    await expect(palindromic([broken], options)).rejects.toThrow('expected {"subject":"alice"}')
    expect(runs).toEqual([])
  })

  it('fails the run when a variant stops answering correctly during timing', async () => {
    let healthy = true
    const decaying: Variant = {
      name: 'decaying',
      run: async (count) => {
        healthy = false
        return count
      },
      check: async () => {
        if (!healthy) throw new Error('decaying: answer changed')
      },
    }
    await expect(palindromic([decaying], options)).rejects.toThrow('answer changed')
  })

  it('calibrates slots on the CPU time a variant reports, again once it is warm', async () => {
    const counts: number[] = []
    let calls = 0
    // Cold for its first 1,000 units (100 µs each), then 10 µs a unit: slots of 1 ms hold 100 units.
    const warming: Variant = {
      name: 'warming',
      run: async (count) => {
        counts.push(count)
        const cold = Math.max(0, Math.min(count, 1000 - calls))
        calls += count
        return cold * 100 + (count - cold) * 10
      },
      check: async () => {},
    }
    const costs = await palindromic([warming], { cycles: 2, slotMs: 1, warmupMs: 0.1, firstCount: 1000 })
    expect(counts.slice(-4)).toEqual([100, 100, 100, 100])
    expect(costs.get('warming')).toEqual([10, 10])
  })

  it('takes the median of the sub-slots, so one sub-slot inflated by a neighbour does not move the cycle', async () => {
    let runs = 0
    const disturbed: Variant = {
      name: 'disturbed',
      // Every seventh sub-slot costs three times as much: interference only ever adds.
      run: async (count) => (++runs % 7 === 0 ? 3 : 1) * count,
      check: async () => {},
    }
    const costs = await palindromic([disturbed, recorded('quiet', [])], { ...options, subSlots: 4 })
    expect(costs.get('disturbed')).toEqual([1, 1, 1])
  })

  it("interleaved, spreads each variant's sub-slots over the whole cycle, so a slow spell weighs on every variant alike", async () => {
    // The machine slows threefold for four runs in a row, whichever variant's they are. Run sub-slot
    // after sub-slot, those four would be all of one variant's slot and move its cycle by 3x; run a
    // round per sub-slot (A B B A, A B B A, ...), they are two of each variant's eight, the median drops them.
    let runs = 0
    const slowSpell = (name: string): Variant => ({
      name,
      run: async (count) => {
        // Runs 0 and 1 are the two warm-up runs; each cycle is the next 16.
        const inCycle = (runs++ - 2) % 16
        return (inCycle >= 4 && inCycle < 8 ? 3 : 1) * count
      },
      check: async () => {},
    })
    // One untimed and two timed cycles of 2 variants x 2 slots x 4 sub-slots (16 runs each), after
    // exactly one warm-up run per variant (warmupMs 0): the spell falls in the same place of each cycle.
    const costs = await palindromic([slowSpell('A'), slowSpell('B')], {
      interleave: true,
      cycles: 2,
      slotMs: 1,
      warmupMs: 0,
      subSlots: 4,
    })
    expect(costs.get('A')).toEqual([1, 1])
    expect(costs.get('B')).toEqual([1, 1])
  })

  it('settles a variant before each of its sub-slots, outside the timed run', async () => {
    const log: string[] = []
    const settled = (name: string): Variant => ({
      ...recorded(name, log),
      settle: async () => {
        log.push(`settle ${name}`)
      },
    })
    await palindromic([settled('A'), recorded('B', log)], {
      ...options,
      cycles: 1,
      subSlots: 2,
      settle: async () => {
        log.push('settle (default)')
      },
    })
    // The timed cycle (B A A B, two sub-slots each), before the closing checks.
    expect(log.slice(-18, -2)).toEqual(
      ['B', 'B', 'A', 'A', 'A', 'A', 'B', 'B'].flatMap((name) => [
        name === 'A' ? 'settle A' : 'settle (default)',
        name,
      ]),
    )
  })
})
