import { AuthError, withChallenge, wwwAuthenticate } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

const dpop = { algs: ['ES256', 'EdDSA'], bearer: true }

describe('WWW-Authenticate with DPoP (RFC 9449 7.1)', () => {
  it('puts a DPoP proof error on the DPoP challenge, after a bare Bearer one', () => {
    const error = new AuthError('dpop_replayed', 'DPoP proof was already used', { realm: 'api', dpop })
    expect(error.wwwAuthenticate).toBe(
      'Bearer realm="api", DPoP algs="ES256 EdDSA", realm="api", error="invalid_dpop_proof", error_description="DPoP proof was already used"',
    )
  })

  it('puts a token error on the challenge of the scheme the client used', () => {
    const viaBearer = new AuthError('token_expired', 'token has expired', { dpop })
    expect(viaBearer.wwwAuthenticate).toBe(
      'Bearer error="invalid_token", error_description="token has expired", DPoP algs="ES256 EdDSA"',
    )
    const viaDpop = new AuthError('token_expired', 'token has expired', { dpop, scheme: 'DPoP' })
    expect(viaDpop.wwwAuthenticate).toBe(
      'Bearer, DPoP algs="ES256 EdDSA", error="invalid_token", error_description="token has expired"',
    )
  })

  it('offers DPoP alone when Bearer is not accepted, scopes included', () => {
    expect(
      wwwAuthenticate({
        code: 'insufficient_scope',
        message: 'requires write',
        scopes: ['write'],
        realm: undefined,
        dpop: { algs: ['ES256'], bearer: false },
      }),
    ).toBe('DPoP algs="ES256", error="insufficient_scope", error_description="requires write", scope="write"')
    expect(
      wwwAuthenticate({
        code: 'dpop_nonce_required',
        message: 'm',
        scopes: undefined,
        realm: undefined,
        dpop,
      }),
    ).toContain('DPoP algs="ES256 EdDSA", error="use_dpop_nonce"')
  })

  it('is unchanged without the dpop option', () => {
    expect(new AuthError('token_expired', 'token has expired').wwwAuthenticate).toBe(
      'Bearer error="invalid_token", error_description="token has expired"',
    )
  })

  it('keeps the scheme and the nonce through withChallenge', () => {
    const error = new AuthError('dpop_nonce_required', 'needs a nonce', { dpopNonce: 'n1', scheme: 'DPoP' })
    const challenged = withChallenge(error, { realm: 'api', dpop })
    expect(challenged).toMatchObject({ dpopNonce: 'n1', scheme: 'DPoP', realm: 'api', dpop })
    expect(challenged.status).toBe(401)
  })
})
