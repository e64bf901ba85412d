import { describe, expect, it } from 'vitest'
import { toSeconds } from '../../src/internal/duration.js'

describe('toSeconds', () => {
  it.each([
    [5, 5],
    ['250ms', 0.25],
    ['5s', 5],
    ['10m', 600],
    ['1h', 3600],
    ['30d', 2_592_000],
  ])('reads %j as %d seconds', (value, seconds) => {
    expect(toSeconds(value as never, 'x')).toBe(seconds)
  })

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '5', '5 years', '-5s', null])(
    'refuses %j naming the option',
    (value) => {
      expect(() => toSeconds(value as never, 'clockTolerance')).toThrow(/"clockTolerance" must be/)
    },
  )
})
