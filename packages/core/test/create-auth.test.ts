import { type AuthError, createAuth, type Identity } from '@portcullis/core'
import { generateKeyPair, SignJWT } from 'jose'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'

const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const secret = 'x'.repeat(32)
const key = new TextEncoder().encode(secret)

const now = () => Math.floor(Date.now() / 1000)
const sign = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  new SignJWT({
    iss: issuer,
    aud: audience,
    sub: 'alice',
    iat: now(),
    exp: now() + 300,
    scope: 'read:reports write:reports',
    roles: ['admin'],
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256', ...header })
    .sign(key)

describe('createAuth with a shared secret', () => {
  const auth = createAuth({ issuer, audience, secret })

  it('verifies a token into an identity', async () => {
    const identity = await auth.verify(await sign({ sid: 's1' }))
    expect(identity).toMatchObject({
      subject: 'alice',
      issuer,
      audience: [audience],
      scopes: ['read:reports', 'write:reports'],
      roles: ['admin'],
      sessionId: 's1',
    })
    expectTypeOf(identity).toEqualTypeOf<Identity>()
  })

  it('rejects an expired token with token_expired', async () => {
    const token = await sign({ exp: Math.floor(Date.now() / 1000) - 60 })
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'token_expired', status: 401 })
  })

  it('rejects a token for another audience', async () => {
    const token = await sign({ aud: 'other' })
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'claim_invalid', status: 401 })
  })

  it('authenticates a bearer request and a cookie request', async () => {
    const token = await sign()
    const viaBearer = await auth.authenticate(
      new Request('http://x', { headers: { authorization: `Bearer ${token}` } }),
    )
    expect(viaBearer).toMatchObject({
      status: 'authenticated',
      identity: { subject: 'alice', source: 'bearer' },
    })
    const viaCookie = await auth.authenticate({ cookie: `__session=${token}` })
    expect(viaCookie).toMatchObject({ status: 'authenticated', identity: { source: 'cookie' } })
    expect(await auth.authenticate({})).toEqual({ status: 'anonymous' })
  })

  it('reports a rejection with an RFC 6750 challenge that holds no token', async () => {
    const token = `${(await sign()).slice(0, -2)}AA`
    const result = await auth.authenticate({ authorization: `Bearer ${token}` })
    expect(result.status).toBe('rejected')
    const error = (result as { error: AuthError }).error
    expect(error.code).toBe('signature_invalid')
    expect(error.wwwAuthenticate).toBe(
      'Bearer error="invalid_token", error_description="signature verification failed"',
    )
    expect(JSON.stringify(error)).not.toContain(token.slice(0, 20))
  })
})

describe('claims schema', () => {
  it('types identity.claims from a zod schema and rejects a mismatch', async () => {
    const auth = createAuth({ issuer, audience, secret, claims: z.object({ tenant: z.string() }) })
    const identity = await auth.verify(await sign({ tenant: 'acme' }))
    expectTypeOf(identity.claims).toEqualTypeOf<{ tenant: string }>()
    expect(identity.claims).toEqual({ tenant: 'acme' })
    await expect(auth.verify(await sign({ tenant: 42 }))).rejects.toMatchObject({ code: 'claim_invalid' })
  })
})

describe('asymmetric keys', () => {
  it('verifies ES256 with a local key and refuses HS256 signed with its public key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
    const auth = createAuth({ issuer, audience, keys: [publicKey] })
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject('bob')
      .setExpirationTime('1m')
      .sign(privateKey)
    expect((await auth.verify(token)).subject).toBe('bob')
    await expect(auth.verify(await sign())).rejects.toMatchObject({ code: 'algorithm_not_allowed' })
  })
})

describe('the verifier clock', () => {
  it('exposes the now option, so adapters share one clock with the verifier', () => {
    const now = () => 1_000
    expect(createAuth({ issuer, audience, secret, now }).now).toBe(now)
    expect(createAuth({ issuer, audience, secret }).now).toBe(Date.now)
  })
})
