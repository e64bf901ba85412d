import type { Identity } from '@portcullis/core'
import { accessError, normalizeRule } from '@portcullis/http'
import { describe, expect, it } from 'vitest'

const identity = (scopes: string[], roles: string[] = []) =>
  ({ scopes, roles }) as unknown as Identity<unknown>

describe('normalizeRule', () => {
  it('defaults to needing an identity only, every list in full', () => {
    expect(normalizeRule(undefined)).toEqual({ scopes: [], roles: [], mode: 'all' })
  })

  it('names the option it rejects', () => {
    expect(() => normalizeRule({ scopes: ['read', 7 as never] })).toThrow(
      new TypeError('"scopes" must be an array of non-empty strings'),
    )
    expect(() => normalizeRule({ roles: 'admin' as never })).toThrow(
      new TypeError('"roles" must be an array of non-empty strings'),
    )
    expect(() => normalizeRule({ mode: 'every' as never })).toThrow(
      new TypeError('"mode" must be "all" or "any"'),
    )
    expect(() => normalizeRule('admin' as never)).toThrow(
      new TypeError('requireAuth options must be an object'),
    )
  })

  it('copies the lists, so changing the caller’s array later changes nothing', () => {
    const scopes = ['read']
    const rule = normalizeRule({ scopes })
    scopes.push('write')
    expect(rule.scopes).toEqual(['read'])
  })
})

describe('accessError', () => {
  it('is a 401 token_missing without an identity', () => {
    expect(accessError(null, normalizeRule({}), undefined)).toMatchObject({
      code: 'token_missing',
      status: 401,
    })
  })

  it('is a 403 insufficient_scope naming the scopes, with the realm in its challenge', () => {
    const error = accessError(identity(['read']), normalizeRule({ scopes: ['read', 'write'] }), 'api')
    expect(error).toMatchObject({ code: 'insufficient_scope', status: 403, scopes: ['read', 'write'] })
    expect(error?.wwwAuthenticate).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="requires the scopes: read write", scope="read write"',
    )
  })

  it("is a 403 forbidden for a missing role, and nothing once any role is held with mode 'any'", () => {
    expect(accessError(identity([], ['user']), normalizeRule({ roles: ['admin'] }), undefined)).toMatchObject(
      {
        code: 'forbidden',
        status: 403,
      },
    )
    expect(
      accessError(
        identity([], ['auditor']),
        normalizeRule({ roles: ['admin', 'auditor'], mode: 'any' }),
        'api',
      ),
    ).toBeUndefined()
  })
})
