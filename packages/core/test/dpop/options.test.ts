import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { normalizeDpop } from '../../src/dpop/options.js'

const base = {
  issuer: 'https://id.example.com/',
  audience: 'api',
  secret: 'a-test-secret-that-is-at-least-32-bytes-long',
}

describe('the dpop option', () => {
  it('defaults to optional DPoP, asymmetric algorithms, a 60s window with 5s tolerance', () => {
    const dpop = normalizeDpop({})
    expect(dpop).toMatchObject({ required: false, maxAge: 60, clockTolerance: 5, nonce: undefined })
    expect(dpop.algorithms).toContain('ES256')
    expect(dpop.algorithms.some((alg) => alg.startsWith('HS'))).toBe(false)
  })

  it('names the field of every mistake', () => {
    const bad: Array<[unknown, string]> = [
      [null, '"dpop" must be an object such as { required: true }'],
      [{ required: 'yes' }, '"dpop.required" must be a boolean'],
      [{ algorithms: [] }, '"dpop.algorithms" must be a non-empty array'],
      [
        { algorithms: ['HS256'] },
        '"dpop.algorithms" contains "HS256": proofs use asymmetric algorithms only',
      ],
      [{ algorithms: ['none'] }, '"dpop.algorithms" contains "none": proofs use asymmetric algorithms only'],
      [{ maxAge: 0 }, '"dpop.maxAge" must be positive'],
      [{ store: {} }, '"dpop.store" must be a Store such as memoryStore() or redisStore(redis)'],
      [{ nonce: { secret: 'short' } }, '"dpop.nonce.secret" must be a string of at least 32 bytes'],
      [
        { publicUrl: 'api.example.com' },
        '"dpop.publicUrl" must be an absolute URL such as "https://api.example.com"',
      ],
      [
        { publicUrl: 'https://api.example.com/?x=1' },
        '"dpop.publicUrl" must hold an origin and path only (no query, fragment or credentials)',
      ],
      [
        { publicUrl: 'https://a.example', url: () => 'x' },
        'give either "dpop.publicUrl" or "dpop.url", not both',
      ],
    ]
    for (const [dpop, message] of bad)
      expect(() => createAuth({ ...base, dpop: dpop as never }), message).toThrow(new TypeError(message))
  })

  it('puts its settings in the RFC 9728 metadata, unless the resource option sets them', () => {
    const auth = createAuth({
      ...base,
      resource: { resource: 'https://api.example.com' },
      dpop: { required: true, algorithms: ['ES256', 'EdDSA'] },
    })
    expect(auth.protectedResourceMetadata()).toMatchObject({
      dpop_signing_alg_values_supported: ['ES256', 'EdDSA'],
      dpop_bound_access_tokens_required: true,
    })
    const own = createAuth({
      ...base,
      resource: { resource: 'https://api.example.com', dpopBoundAccessTokensRequired: false },
      dpop: { required: true },
    })
    expect(own.protectedResourceMetadata()).toMatchObject({ dpop_bound_access_tokens_required: false })
    expect(
      createAuth({ ...base, resource: { resource: 'https://api.example.com' } }).protectedResourceMetadata(),
    ).not.toHaveProperty('dpop_signing_alg_values_supported')
  })
})
