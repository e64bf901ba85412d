import { hasRoles, hasScopes, requireRoles, requireScopes, rolesOf, scopesOf } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

describe('scopes', () => {
  it('reads scope (space-delimited) and scp (array or string), without duplicates', () => {
    expect(scopesOf({ scope: 'a b  c', scp: ['c', 'd', 7] as string[] })).toEqual(['a', 'b', 'c', 'd'])
    expect(scopesOf({ scp: 'e f' })).toEqual(['e', 'f'])
    expect(scopesOf({})).toEqual([])
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

describe('roles', () => {
  it('reads roles from the default claims, dotted paths included', () => {
    expect(
      rolesOf({ roles: ['a'], role: 'b c', realm_access: { roles: ['d'] } }, [
        'roles',
        'role',
        'realm_access.roles',
      ]),
    ).toEqual(['a', 'b', 'c', 'd'])
    expect(rolesOf({ 'https://example.com/roles': ['x'] }, ['https://example.com/roles'])).toEqual(['x'])
    expect(rolesOf({ realm_access: 'nope' }, ['realm_access.roles'])).toEqual([])
  })

  it('checks all (default) or any', () => {
    const identity = { roles: ['admin'] }
    expect(hasRoles(identity, ['admin'])).toBe(true)
    expect(hasRoles(identity, ['admin', 'finance'], { mode: 'any' })).toBe(true)
    expect(() => requireRoles(identity, ['finance'])).toThrow(
      expect.objectContaining({ code: 'forbidden', status: 403 }),
    )
  })
})
