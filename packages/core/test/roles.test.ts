import { hasRoles, requireRoles, rolesOf } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

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
