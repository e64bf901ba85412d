import { describe, expect, it } from 'vitest'
import type { Estimate } from '../src/ci.js'
import { formatPercent } from '../src/stats.js'
import { type Goal, judge } from '../src/verdict.js'

const estimate = (point: number, low: number, high: number): Estimate => ({
  point,
  low,
  high,
  coverage: 0.96,
  cycles: 15,
})
const tight = estimate(1, 0.995, 1.005)
/** ">= 97% of bare", the way the HTTP targets are judged. */
const goal = (measured: Estimate, control: Estimate | undefined = tight): Goal => ({
  name: 'ours >= 97% of bare',
  estimate: measured,
  limit: 0.97,
  better: 'higher',
  neutral: 1,
  control,
  format: formatPercent,
})

describe('judge', () => {
  it('is met when the point estimate meets the target and the CI lies on its side', () => {
    const target = judge(goal(estimate(0.985, 0.978, 0.99)))
    expect(target.verdict).toBe('met')
    expect(target.measured).toBe('98.5% [97.8%, 99.0%]; A/A 100.0% [99.5%, 100.5%]')
  })

  it('is met but says so when the CI straddles the target', () => {
    const target = judge(goal(estimate(0.975, 0.96, 0.99)))
    expect(target.verdict).toBe('met')
    expect(target.measured).toContain('CI straddles the target')
  })

  it('is missed when the point estimate falls short, even if the CI reaches the target', () => {
    const target = judge(goal(estimate(0.965, 0.95, 0.975)))
    expect(target.verdict).toBe('missed')
    expect(target.measured).toContain('CI straddles the target')
  })

  it('is inconclusive when the A/A control strays as far as the target margin', () => {
    const target = judge(goal(estimate(0.99, 0.985, 0.995), estimate(1.0, 0.97, 1.02)))
    expect(target.verdict).toBe('inconclusive')
    expect(target.measured).toContain("A/A spread ±3.0% >= the target's margin ±3.0%")
  })

  it('judges lower-is-better targets, such as a cache miss against jose', () => {
    const miss = (point: number) =>
      judge({
        name: 'miss <= 1.05x',
        estimate: estimate(point, point - 0.01, point + 0.01),
        limit: 1.05,
        better: 'lower',
        neutral: 1,
        control: tight,
        format: (value) => `${value.toFixed(2)}x`,
      }).verdict
    expect(miss(1.03)).toBe('met')
    expect(miss(1.08)).toBe('missed')
  })

  it('judges differences against 0, in their own unit', () => {
    const target = judge({
      name: 'cached path <= 5 µs',
      estimate: estimate(4.2, 3.9, 4.6),
      limit: 5,
      better: 'lower',
      neutral: 0,
      control: estimate(0.1, -0.4, 0.5),
      format: (value) => `${value.toFixed(1)} µs`,
    })
    expect(target).toMatchObject({
      verdict: 'met',
      measured: '4.2 µs [3.9 µs, 4.6 µs]; A/A 0.1 µs [-0.4 µs, 0.5 µs]',
    })
  })

  it('is never inconclusive without a control (a peer 2-4x away)', () => {
    expect(judge(goal(estimate(0.99, 0.98, 1), undefined)).verdict).toBe('met')
  })

  it('reports a missing measurement as not measured', () => {
    expect(judge(goal(estimate(Number.NaN, Number.NaN, Number.NaN))).verdict).toBe('not measured')
  })
})
