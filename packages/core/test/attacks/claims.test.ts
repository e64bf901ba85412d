import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, claims, forge, issuer, secret } from '../support/fixtures.js'

describe('claims of the wrong type', () => {
  const auth = createAuth({ issuer, audience, secret })

  it.each([
    ['sub', 42],
    ['sub', ''],
    ['sub', ['alice']],
    ['sub', { id: 'alice' }],
    ['iss', 42],
    ['iss', [issuer]],
    ['iss', null],
    ['aud', 7],
    ['aud', [7]],
    ['aud', []],
    ['sid', 12],
  ])('rejects %s = %j', async (name, value) => {
    await expect(
      auth.verify(forge({ alg: 'HS256' }, claims(Date.now(), { [name]: value }))),
    ).rejects.toMatchObject({
      code: 'claim_invalid',
      status: 401,
    })
  })

  it('rejects a missing sub and an untrusted issuer', async () => {
    const payload = claims()
    delete payload.sub
    await expect(auth.verify(forge({ alg: 'HS256' }, payload))).rejects.toMatchObject({
      code: 'claim_invalid',
    })
    await expect(
      auth.verify(forge({ alg: 'HS256' }, claims(Date.now(), { iss: 'https://evil.example/' }))),
    ).rejects.toMatchObject({ code: 'claim_invalid' })
  })
})

describe('header extensions', () => {
  const auth = createAuth({ issuer, audience, secret })

  it.each([[['exp']], [['http://example.com/ext']], [[]], ['b64']])('rejects crit %j', async (crit) => {
    await expect(auth.verify(forge({ alg: 'HS256', crit, exp: 1 }, claims()))).rejects.toMatchObject({
      code: 'token_malformed',
      status: 401,
    })
  })

  it('rejects b64: false (unencoded payload)', async () => {
    await expect(auth.verify(forge({ alg: 'HS256', b64: false }, claims()))).rejects.toMatchObject({
      code: 'token_malformed',
    })
  })
})
