import { rolesOf, scopesOf } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { grantsOf } from '../src/identity.js'

describe('scopesOf', () => {
  it('reads scope (space-delimited) and scp (array or string), without duplicates', () => {
    expect(scopesOf({ scope: 'a b  c', scp: ['c', 'd', 7] as string[] })).toEqual(['a', 'b', 'c', 'd'])
    expect(scopesOf({ scp: 'e f' })).toEqual(['e', 'f'])
    expect(scopesOf({})).toEqual([])
  })
})

describe('rolesOf', () => {
  it('ignores values that are not strings or lists of strings', () => {
    expect(
      rolesOf({ roles: [1, null, 'admin'] as unknown as string[], role: { admin: true } as never }, [
        'roles',
        'role',
      ]),
    ).toEqual(['admin'])
  })
})

describe('grantsOf', () => {
  const payload = { roles: ['user'], groups: ['admin'], scope: 'read', scp: ['write'] }

  it('reads the configured role claims and both scope claims for other tokens', () => {
    expect(grantsOf(payload, { roles: ['groups'], scopes: ['scope', 'scp'] }, false)).toEqual({
      roles: ['admin'],
      scopes: ['read', 'write'],
    })
  })

  it('reads a session token\'s "roles" and "scope" only, whatever the role claims', () => {
    expect(grantsOf(payload, { roles: ['groups'], scopes: ['scope', 'scp'] }, true)).toEqual({
      roles: ['user'],
      scopes: ['read'],
    })
  })
})
