import { describe, expect, it } from 'vitest'
import { differenceCi, inverse, medianCi, ratioCi, spreadOf } from '../src/ci.js'

describe('medianCi', () => {
  it('brackets the median of 15 cycles by the 4th and 12th order statistics (96.5% coverage)', () => {
    const values = [9, 3, 15, 1, 12, 7, 5, 14, 2, 11, 8, 4, 13, 6, 10]
    const estimate = medianCi(values)
    expect(estimate).toMatchObject({ point: 8, low: 4, high: 12, cycles: 15 })
    expect(estimate.coverage).toBeCloseTo(0.9648, 4)
  })

  it('takes the mean of the middle two for an even count', () => {
    expect(medianCi([4, 1, 3, 2, 6, 5, 8, 7, 10, 9, 12, 11]).point).toBe(6.5)
  })

  it('widens to the range, and says so, when there are too few cycles for 95%', () => {
    const estimate = medianCi([3, 1, 2, 5, 4])
    expect(estimate).toMatchObject({ point: 3, low: 1, high: 5 })
    expect(estimate.coverage).toBe(1 - 2 / 32)
  })

  it('never claims less than the confidence asked for, once there are enough cycles', () => {
    for (let n = 6; n <= 60; n++)
      expect(medianCi(Array.from({ length: n }, (_, index) => index)).coverage).toBeGreaterThanOrEqual(0.95)
  })
})

describe('per-cycle comparisons', () => {
  it('takes ratios cycle by cycle, so a slow cycle slows both sides alike', () => {
    // The machine slows down 3x over the run; the variant costs 5% more in every cycle.
    const bare = [100, 150, 200, 250, 300, 250, 200, 150, 100, 120, 180]
    const variant = bare.map((value) => value * 1.05)
    const estimate = ratioCi(variant, bare)
    expect(estimate.point).toBeCloseTo(1.05, 10)
    expect(estimate.high - estimate.low).toBeCloseTo(0, 10)
  })

  it('takes differences cycle by cycle, in the unit measured', () => {
    expect(differenceCi([12, 13, 14, 15, 16, 17], [10, 10, 10, 10, 10, 10])).toMatchObject({
      point: 4.5,
      low: 2,
      high: 7,
    })
  })

  it('turns a cost ratio into a capacity ratio, flipping the interval', () => {
    const capacity = inverse({ point: 1.25, low: 1, high: 2, coverage: 0.95, cycles: 6 })
    expect(capacity).toMatchObject({ point: 0.8, low: 0.5, high: 1 })
  })

  it('reads the spread of an A/A control as its CI end farthest from no difference', () => {
    expect(spreadOf({ point: 1, low: 0.97, high: 1.01, coverage: 0.95, cycles: 6 }, 1)).toBeCloseTo(0.03, 10)
  })
})
