import { createAuth, verifyRenewal } from '@portcullis/core'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'

const audience = 'https://api.example.com'
const tenantA = 'https://a.id.example.com/'
const tenantB = 'https://b.id.example.com/'
const secret = 'a-shared-secret-of-at-least-32-bytes!!'
const key = new TextEncoder().encode(secret)

const auth = createAuth({
  issuers: [
    { issuer: tenantA, audience, secret },
    { issuer: tenantB, audience, secret },
  ],
})

const sign = (claims: Record<string, unknown> = {}) =>
  new SignJWT({
    iss: tenantA,
    aud: audience,
    sub: 'alice',
    exp: Math.floor(Date.now() / 1000) + 60,
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(key)
const bearer = async (claims?: Record<string, unknown>) => ({ authorization: `Bearer ${await sign(claims)}` })

describe('verifyRenewal', () => {
  it('renews with a valid token of the same subject and issuer', async () => {
    const current = await auth.verify(await sign({ scope: 'a' }))
    const outcome = await verifyRenewal(auth, current, await bearer({ scope: 'b' }))
    expect(outcome).toMatchObject({ status: 'renewed', identity: { subject: 'alice', issuer: tenantA } })
    if (outcome.status === 'renewed') expect([...outcome.identity.scopes]).toEqual(['b'])
  })

  it('is a mismatch for another subject', async () => {
    const current = await auth.verify(await sign())
    expect(await verifyRenewal(auth, current, await bearer({ sub: 'mallory' }))).toMatchObject({
      status: 'mismatch',
      error: { code: 'claim_invalid', status: 401 },
    })
  })

  it('is a mismatch for the same subject at another configured issuer', async () => {
    const current = await auth.verify(await sign())
    expect(await verifyRenewal(auth, current, await bearer({ iss: tenantB }))).toMatchObject({
      status: 'mismatch',
      error: { code: 'claim_invalid' },
    })
  })

  it('rejects, with the verification code, an invalid or missing token', async () => {
    const current = await auth.verify(await sign())
    const expired = await bearer({ exp: Math.floor(Date.now() / 1000) - 60 })
    expect(await verifyRenewal(auth, current, expired)).toMatchObject({
      status: 'rejected',
      error: { code: 'token_expired' },
    })
    expect(await verifyRenewal(auth, current, {})).toMatchObject({
      status: 'rejected',
      error: { code: 'token_missing' },
    })
  })

  it('never puts the token in the error', async () => {
    const current = await auth.verify(await sign())
    const token = await sign({ sub: 'mallory' })
    const outcome = await verifyRenewal(auth, current, { authorization: `Bearer ${token}` })
    const error = outcome.status === 'renewed' ? undefined : outcome.error
    expect(JSON.stringify({ message: error?.message, cause: String(error?.cause) })).not.toContain(token)
  })
})
