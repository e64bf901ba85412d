import { describe, expect, it } from 'vitest'
import { type ClaimRules, checkClaims, normalizeType } from '../../src/internal/claims.js'

const rules: ClaimRules = {
  issuer: 'https://id.example.com/',
  audience: new Set(['api']),
  tokenType: 'at+jwt',
  clockTolerance: 0,
  maxTokenAge: undefined,
  requiredClaims: ['tenant'],
}
const payload = { iss: rules.issuer, sub: 'alice', aud: ['other', 'api'], exp: 2000, tenant: 'acme' }

describe('normalizeType', () => {
  it('compares typ case-insensitively, with or without application/ (RFC 9068 2.1)', () => {
    expect(normalizeType('application/AT+JWT')).toBe('at+jwt')
    expect(normalizeType('at+jwt')).toBe('at+jwt')
  })
})

describe('checkClaims', () => {
  it('accepts a payload that meets every rule', () => {
    expect(() => checkClaims(payload, { typ: 'application/at+jwt' }, rules, 1000)).not.toThrow()
  })

  it.each([
    ['a wrong typ', payload, { typ: 'JWT' }, 'token_type_invalid'],
    ['a missing typ', payload, {}, 'token_type_invalid'],
    ['another issuer', { ...payload, iss: 'https://evil/' }, { typ: 'at+jwt' }, 'claim_invalid'],
    ['no matching audience', { ...payload, aud: 'x' }, { typ: 'at+jwt' }, 'claim_invalid'],
    ['a missing required claim', { ...payload, tenant: undefined }, { typ: 'at+jwt' }, 'claim_invalid'],
    ['an expired token', { ...payload, exp: 1000 }, { typ: 'at+jwt' }, 'token_expired'],
  ])('rejects %s', (_name, claims, header, code) => {
    expect(() => checkClaims(claims, header, rules, 1000)).toThrow(expect.objectContaining({ code }))
  })
})
