import { hasScopes, matches, requireScopes } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

describe('scopes', () => {
  it('matches nothing required as always met', () => {
    expect(matches([], [])).toBe(true)
    expect(matches(['a'], ['b'], 'any')).toBe(false)
  })

  it('checks all (default) or any', () => {
    const identity = { scopes: ['read', 'write'] }
    expect(hasScopes(identity, ['read', 'write'])).toBe(true)
    expect(hasScopes(identity, ['read', 'admin'])).toBe(false)
    expect(hasScopes(identity, ['read', 'admin'], { mode: 'any' })).toBe(true)
    expect(hasScopes(null, [])).toBe(false)
    expect(() => requireScopes(identity, ['admin'])).toThrow(
      expect.objectContaining({ code: 'insufficient_scope', status: 403, scopes: ['admin'] }),
    )
    expect(() => requireScopes(undefined, ['admin'])).toThrow(
      expect.objectContaining({ code: 'token_missing' }),
    )
  })
})
