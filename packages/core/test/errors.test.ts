import {
  AuthError,
  type AuthEvent,
  bearerErrorOf,
  createAuth,
  isAuthError,
  requireRoles,
  requireScopes,
  wwwAuthenticate,
} from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  audience,
  claims,
  clock,
  forge,
  issuer,
  secret,
  serve,
  sign,
  signingKey,
} from './support/fixtures.js'

describe('AuthError status', () => {
  it("is the code's status unless a rejection sets its own", () => {
    expect(new AuthError('token_malformed', 'token is not a JWS').status).toBe(401)
    expect(new AuthError('token_ambiguous', 'two headers').status).toBe(400)
    const request = new AuthError('token_malformed', 'Authorization header is not "Bearer <token>"', {
      status: 400,
    })
    expect(request).toMatchObject({ code: 'token_malformed', status: 400 })
    expect(request.toJSON()).toMatchObject({ status: 400 })
    // RFC 6750 3.1: a 400 is invalid_request, a malformed token (401) invalid_token.
    expect(request.wwwAuthenticate).toMatch(/^Bearer error="invalid_request"/)
    expect(new AuthError('token_malformed', 'token is not a JWS').wwwAuthenticate).toMatch(
      /^Bearer error="invalid_token"/,
    )
  })
})

describe('wwwAuthenticate', () => {
  it('builds RFC 6750 challenges', () => {
    const auth = createAuth({ issuer, audience, secret, realm: 'api' })
    expect(auth.realm).toBe('api')
    expect(bearerErrorOf('token_missing')).toBeUndefined()
    expect(bearerErrorOf('token_malformed')).toBe('invalid_token')
    expect(bearerErrorOf('token_malformed', 400)).toBe('invalid_request')
    expect(bearerErrorOf('token_ambiguous')).toBe('invalid_request')
    expect(bearerErrorOf('insufficient_scope')).toBe('insufficient_scope')
    try {
      requireScopes({ scopes: ['read'] }, ['read', 'write'])
      expect.unreachable()
    } catch (error) {
      expect(isAuthError(error)).toBe(true)
      expect(error).toMatchObject({ code: 'insufficient_scope', status: 403 })
      expect(wwwAuthenticate(error as AuthError)).toBe(
        'Bearer error="insufficient_scope", error_description="requires the scopes: read write", scope="read write"',
      )
    }
  })

  it('adds the configured realm to rejections', async () => {
    const auth = createAuth({ issuer, audience, secret, realm: 'api' })
    // A malformed token is invalid_token (401); a malformed request is invalid_request (400).
    const token = await auth.authenticate({ authorization: 'Bearer x.y.z' })
    expect(token.status === 'rejected' && token.error.wwwAuthenticate).toMatch(
      /^Bearer realm="api", error="invalid_token"/,
    )
    const request = await auth.authenticate({ authorization: 'Bearer x y' })
    expect(request).toMatchObject({ status: 'rejected', error: { status: 400 } })
    expect(request.status === 'rejected' && request.error.wwwAuthenticate).toMatch(
      /^Bearer realm="api", error="invalid_request"/,
    )
  })
})

describe('no token, secret or cookie value in any error or event', () => {
  it('holds for every rejection path', async () => {
    const time = clock()
    const events: AuthEvent[] = []
    const onEvent = (event: AuthEvent) => events.push(event)
    const key = await signingKey('ES256', 'es')
    const down = await serve((_request, response) => {
      response.statusCode = 500
      response.end('internal error')
    })
    const auth = createAuth({
      issuers: [
        { issuer, audience, secret, tokenType: 'JWT', maxTokenAge: '1h' },
        { issuer: 'https://es.example/', audience, jwks: { keys: [key.publicJwk] } },
        { issuer: 'https://down.example/', audience, jwks: `${down.url}/jwks` },
      ],
      claims: z.object({ tenant: z.string() }).passthrough(),
      now: time.now,
      onEvent,
    })
    const at = time.now()
    const seconds = Math.floor(at / 1000)
    const hs = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      forge({ alg: 'HS256', typ: 'JWT', ...header }, claims(at, { tenant: 'acme', ...payload }))
    const tokens: string[] = [
      hs({ exp: seconds - 60 }),
      hs({ nbf: seconds + 600 }),
      hs({ iat: seconds + 600 }),
      hs({ iat: seconds - 7200 }),
      hs({ aud: 'https://other.example' }),
      hs({ iss: 'https://evil.example/' }),
      hs({ sub: 42 }),
      hs({ tenant: 42 }),
      hs({ exp: 'never' }),
      hs({}, { typ: 'at+jwt' }),
      hs({}, { alg: 'none' }),
      hs({}, { alg: 'RS1' }),
      hs({}, { kid: 7 }),
      hs({}, { crit: ['exp'] }),
      hs({}, { jku: 'https://evil.example/jwks' }),
      `${hs({})}=`,
      `${hs({})}.x`,
      hs({ padding: 'p'.repeat(9000) }),
      `${hs({}).slice(0, -4)}AAAA`,
      hs({}, { alg: 'HS256' }).replace(/\./g, ' '),
      forge({ alg: 'HS256' }, claims(at, { tenant: 'acme' }), { hmacKey: 'w'.repeat(32) }),
      await sign(key, { iss: 'https://es.example/', tenant: 'acme' }, { kid: 'unknown' }, at),
      await sign(key, { iss: 'https://down.example/', tenant: 'acme' }, {}, at),
    ]
    const errors: unknown[] = []
    for (const token of tokens) {
      errors.push(await auth.verify(token).catch((error: unknown) => error))
      for (const request of [
        { authorization: `Bearer ${token}` },
        { cookie: `__session=${token}` },
        { cookie: `__session=${token}; __session=${token}x` },
        { authorization: [`Bearer ${token}`, `Bearer ${token}`] },
      ]) {
        const result = await auth.authenticate(request)
        expect(result.status).toBe('rejected')
        if (result.status === 'rejected') errors.push(result.error)
      }
    }
    const cookieValue = 'session-cookie-value-that-is-not-a-jwt'
    const garbage = await auth.authenticate({ cookie: `__session=${cookieValue}` })
    errors.push(garbage.status === 'rejected' ? garbage.error : undefined)
    for (const check of [() => requireScopes(null, ['read']), () => requireRoles({ roles: [] }, ['admin'])]) {
      try {
        check()
      } catch (error) {
        errors.push(error)
      }
    }

    expect(errors.every((error) => isAuthError(error))).toBe(true)
    const codes = new Set(errors.map((error) => (error as AuthError).code))
    for (const code of [
      'token_expired',
      'token_not_yet_valid',
      'claim_invalid',
      'token_type_invalid',
      'algorithm_not_allowed',
      'token_malformed',
      'token_ambiguous',
      'signature_invalid',
      'key_not_found',
      'jwks_unavailable',
      'token_missing',
      'forbidden',
    ])
      expect(codes).toContain(code)

    const needles = [secret, 'w'.repeat(32), cookieValue]
    for (const token of tokens)
      needles.push(token, ...token.split(/[.\s=]/).filter((part) => part.length >= 16))
    const haystack = JSON.stringify([
      ...errors.map((error) => {
        const { message, cause, wwwAuthenticate: challenge, stack } = error as AuthError
        return {
          json: JSON.stringify(error),
          message,
          cause: String(cause),
          causeMessage: (cause as Error)?.message,
          challenge,
          stack,
        }
      }),
      ...events,
    ])
    const leaked = [...new Set(needles)].filter((needle) => haystack.includes(needle))
    expect(leaked).toEqual([])
    expect(events.length).toBeGreaterThan(tokens.length)
  })
})
