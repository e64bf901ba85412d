import { accessOf, RULES_VERSION, type RuleRequirement } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

const rule = (scopes: string[], roles: string[]): RuleRequirement => ({
  scopes,
  roles,
  mode: 'all',
  origin: { from: 'middleware' },
})

describe('accessOf', () => {
  it('summarizes requirements: restricted over authenticated over custom over public', () => {
    expect(accessOf([rule([], []), rule(['read'], [])], ['rateLimit'])).toBe('restricted')
    expect(accessOf([rule([], ['admin'])], [])).toBe('restricted')
    expect(accessOf([rule([], [])], ['rateLimit'])).toBe('authenticated')
    expect(accessOf([], ['rateLimit'])).toBe('custom')
    expect(accessOf([], [])).toBe('public')
  })

  it('is version 1 of the shape', () => {
    expect(RULES_VERSION).toBe(1)
  })
})
