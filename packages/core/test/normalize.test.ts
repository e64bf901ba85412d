import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, issuer, secret } from './support/fixtures.js'

describe('options are checked at construction, naming the option', () => {
  it.each([
    ['no options', undefined, /needs an options object/],
    ['no issuer', { audience, secret }, /"options.issuer" must be a non-empty string/],
    ['no audience', { issuer, secret }, /"options.audience" is required/],
    ['an empty audience list', { issuer, audience: [], secret }, /"options.audience" must not be empty/],
    ['two kinds of key material', { issuer, audience, secret, jwks: 'https://x/jwks' }, /give only one of/],
    [
      'a JWKS URL that is not http(s)',
      { issuer, audience, jwks: 'ftp://x/jwks' },
      /"jwks" URL must use https/,
    ],
    [
      'a JWKS that is neither URL nor set',
      { issuer, audience, jwks: { keys: 'x' } },
      /"jwks" must be a URL or/,
    ],
    ['empty keys', { issuer, audience, keys: [] }, /"keys" must be a non-empty array/],
    [
      'an unknown algorithm',
      { issuer, audience, secret, algorithms: ['XS256'] },
      /unsupported algorithm "XS256"/,
    ],
    [
      'a bad clockTolerance',
      { issuer, audience, secret, clockTolerance: 'soon' },
      /"options.clockTolerance"/,
    ],
    ['a bad maxTokenAge', { issuer, audience, secret, maxTokenAge: -1 }, /"options.maxTokenAge"/],
    ['bad requiredClaims', { issuer, audience, secret, requiredClaims: [1] }, /"options.requiredClaims"/],
    ['bad sources', { issuer, audience, secret, sources: [{}] }, /"sources" must be an array/],
    [
      'a claims value that is no schema',
      { issuer, audience, secret, claims: {} },
      /"claims" must be a Standard Schema/,
    ],
    ['an empty issuers list', { issuers: [] }, /"issuers" must be a non-empty array/],
  ])('refuses %s', (_name, options, message) => {
    // @ts-expect-error JavaScript callers can pass anything
    expect(() => createAuth(options)).toThrow(TypeError)
    // @ts-expect-error JavaScript callers can pass anything
    expect(() => createAuth(options)).toThrow(message)
  })

  it('accepts audience: false for IdPs whose tokens carry no audience', async () => {
    expect(() => createAuth({ issuer, audience: false, secret })).not.toThrow()
  })
})
