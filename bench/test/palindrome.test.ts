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
})
