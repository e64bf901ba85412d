import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, claims, clock, forge, issuer, secret } from '../support/fixtures.js'

const time = clock(Date.UTC(2030, 0, 1))
const nowSeconds = () => Math.floor(time.now() / 1000)
const token = (extra: Record<string, unknown>, drop: string[] = []) => {
  const payload = claims(time.now(), extra)
  for (const name of drop) delete payload[name]
  return forge({ alg: 'HS256' }, payload)
}

describe('time claims', () => {
  const strict = createAuth({ issuer, audience, secret, clockTolerance: 0, now: time.now, cache: false })
  const lenient = createAuth({ issuer, audience, secret, clockTolerance: '5s', now: time.now, cache: false })

  it('treats exp exactly now as expired (RFC 7519 4.1.4: "on or after")', async () => {
    await expect(strict.verify(token({ exp: nowSeconds() }))).rejects.toMatchObject({
      code: 'token_expired',
      status: 401,
    })
    expect((await strict.verify(token({ exp: nowSeconds() + 1 }))).subject).toBe('alice')
  })

  it('accepts exp within clockTolerance and rejects it at the tolerance', async () => {
    expect((await lenient.verify(token({ exp: nowSeconds() - 4 }))).subject).toBe('alice')
    await expect(lenient.verify(token({ exp: nowSeconds() - 5 }))).rejects.toMatchObject({
      code: 'token_expired',
    })
  })

  it('rejects nbf in the future beyond the tolerance', async () => {
    expect((await lenient.verify(token({ nbf: nowSeconds() + 5 }))).subject).toBe('alice')
    await expect(lenient.verify(token({ nbf: nowSeconds() + 6 }))).rejects.toMatchObject({
      code: 'token_not_yet_valid',
      status: 401,
    })
  })

  it('rejects iat in the future beyond the tolerance', async () => {
    await expect(lenient.verify(token({ iat: nowSeconds() + 60 }))).rejects.toMatchObject({
      code: 'token_not_yet_valid',
      status: 401,
    })
  })

  it('enforces maxTokenAge by iat, and requires iat for it', async () => {
    const auth = createAuth({ issuer, audience, secret, maxTokenAge: '1h', clockTolerance: 0, now: time.now })
    expect((await auth.verify(token({ iat: nowSeconds() - 3600 }))).subject).toBe('alice')
    await expect(auth.verify(token({ iat: nowSeconds() - 3601 }))).rejects.toMatchObject({
      code: 'token_expired',
    })
    await expect(auth.verify(token({}, ['iat']))).rejects.toMatchObject({ code: 'claim_invalid' })
  })

  it.each([
    ['missing', undefined],
    ['a string', '2000000000'],
    ['null', null],
    ['a boolean', true],
    ['an array', [2000000000]],
  ])('rejects exp that is %s', async (_name, exp) => {
    await expect(lenient.verify(token({ exp }, exp === undefined ? ['exp'] : []))).rejects.toMatchObject({
      code: 'claim_invalid',
      status: 401,
    })
  })

  it('rejects exp that JSON turns into Infinity', async () => {
    const raw = JSON.stringify(claims(time.now())).replace(/"exp":\d+/, '"exp":1e400')
    await expect(lenient.verify(forge({ alg: 'HS256' }, raw))).rejects.toMatchObject({
      code: 'claim_invalid',
    })
  })

  it.each(['nbf', 'iat'])('rejects a non-numeric %s', async (name) => {
    await expect(lenient.verify(token({ [name]: 'yesterday' }))).rejects.toMatchObject({
      code: 'claim_invalid',
    })
  })
})
