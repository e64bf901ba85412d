import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, claims, forge, issuer, secret, sign, signingKey } from '../support/fixtures.js'

describe('kid tricks', () => {
  it.each([
    ['path traversal', '../../../../../../dev/null'],
    ['SQL', "' UNION SELECT 'secret' --"],
    ['a URL', 'https://evil.example/key.pem'],
    ['empty', ''],
  ])('treats a %s kid as an unknown key, never as a lookup', async (_name, kid) => {
    const key = await signingKey('ES256', 'real')
    const auth = createAuth({ issuer, audience, jwks: { keys: [key.publicJwk] } })
    await expect(auth.verify(await sign(key, {}, { kid }))).rejects.toMatchObject({
      code: 'key_not_found',
      status: 401,
    })
  })

  it.each([
    ['too long', 'k'.repeat(257)],
    ['a number', 7],
    ['null', null],
    ['an object', { $ne: null }],
    ['an array', ['real']],
  ])('rejects a kid that is %s as malformed', async (_name, kid) => {
    const auth = createAuth({ issuer, audience, secret })
    await expect(auth.verify(forge({ alg: 'HS256', kid }, claims()))).rejects.toMatchObject({
      code: 'token_malformed',
      status: 401,
    })
  })

  it('refuses local keys that share a kid at construction', async () => {
    const first = await signingKey('ES256', 'same')
    const second = await signingKey('ES256', 'same')
    expect(() =>
      createAuth({ issuer, audience, jwks: { keys: [first.publicJwk, second.publicJwk] } }),
    ).toThrow(/"options.jwks" has more than one key with the same "kid"/)
    expect(() => createAuth({ issuer, audience, keys: [first.publicJwk, second.publicJwk] })).toThrow(
      TypeError,
    )
  })

  it('does not let a right kid lend its trust to a wrong key', async () => {
    const key = await signingKey('ES256', 'real')
    const attacker = await signingKey('ES256', 'real')
    const auth = createAuth({ issuer, audience, jwks: { keys: [key.publicJwk] } })
    await expect(auth.verify(await sign(attacker))).rejects.toMatchObject({ code: 'signature_invalid' })
  })
})
