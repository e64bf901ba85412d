import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, claims, forge, issuer, secret } from '../support/fixtures.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** Sets the unused low bits of a segment's last character: the same bytes, but not canonical. */
function dirtyTrailingBits(segment: string): string {
  const last = ALPHABET.indexOf(segment.at(-1)!)
  return `${segment.slice(0, -1)}${ALPHABET[last | 1]}`
}

describe('non-canonical base64url', () => {
  const auth = createAuth({ issuer, audience, secret })
  const valid = forge({ alg: 'HS256' }, claims())
  const [header, payload, signature] = valid.split('.') as [string, string, string]

  it('accepts the canonical token', async () => {
    expect((await auth.verify(valid)).subject).toBe('alice')
  })

  it.each([
    ['padding on the signature', `${header}.${payload}.${signature}=`],
    [
      'padding on the header',
      `${header}${'='.repeat((4 - (header.length % 4)) % 4 || 4)}.${payload}.${signature}`,
    ],
    [
      '"+" and "/" (base64, not base64url)',
      `${header}.${payload}.${signature.replace(/-/g, '+').replace(/_/g, '/')}+/`,
    ],
    ['a space inside', `${header}.${payload.slice(0, 5)} ${payload.slice(5)}.${signature}`],
    ['a newline inside', `${header}.${payload}.${signature.slice(0, 10)}\n${signature.slice(10)}`],
    ['a tab before the token', `\t${valid}`],
    ['nonzero trailing bits in the signature', `${header}.${payload}.${dirtyTrailingBits(signature)}`],
    ['a dangling character', `${header}.${payload}.${signature}AA`],
    ['an empty signature', `${header}.${payload}.`],
    ['four parts', `${valid}.extra`],
    ['five parts (JWE)', 'a.b.c.d.e'],
    ['JSON serialization', JSON.stringify({ payload, signatures: [{ protected: header, signature }] })],
  ])('rejects %s as token_malformed', async (_name, token) => {
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'token_malformed', status: 401 })
  })

  it('rejects nonzero trailing bits even though the bytes, and so the HMAC, are the same', async () => {
    expect(Buffer.from(dirtyTrailingBits(signature), 'base64url')).toEqual(
      Buffer.from(signature, 'base64url'),
    )
    await expect(auth.verify(`${header}.${payload}.${dirtyTrailingBits(signature)}`)).rejects.toMatchObject({
      code: 'token_malformed',
    })
  })

  it.each([
    ['a header that is a JSON array', forge('[1]', claims())],
    ['a header that is not JSON', forge('{alg:HS256}', claims())],
    ['a header without alg', forge({ typ: 'JWT' }, claims())],
    ['a payload that is a string', forge({ alg: 'HS256' }, '"alice"')],
    [
      'a payload that is invalid UTF-8',
      `${header}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.${signature}`,
    ],
  ])('rejects %s as token_malformed', async (_name, token) => {
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'token_malformed', status: 401 })
  })
})

describe('oversized tokens', () => {
  it('rejects a token over 8 KiB by default, before decoding it', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const big = forge({ alg: 'HS256' }, claims(Date.now(), { padding: 'x'.repeat(8200) }))
    await expect(auth.verify(big)).rejects.toMatchObject({ code: 'token_malformed', status: 401 })
    const justUnder = forge({ alg: 'HS256' }, claims(Date.now(), { padding: 'x'.repeat(5800) }))
    expect(justUnder.length).toBeLessThanOrEqual(8192)
    expect((await auth.verify(justUnder)).subject).toBe('alice')
  })

  it('honours maxTokenSize', async () => {
    const auth = createAuth({ issuer, audience, secret, maxTokenSize: 300 })
    const token = forge({ alg: 'HS256' }, claims(Date.now(), { padding: 'x'.repeat(100) }))
    expect(token.length).toBeGreaterThan(300)
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'token_malformed' })
    expect(() => createAuth({ issuer, audience, secret, maxTokenSize: 10 })).toThrow(/"maxTokenSize"/)
  })

  it('rejects an oversized Authorization header without reading it as a token', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const result = await auth.authenticate({ authorization: `Bearer ${'a'.repeat(20_000)}` })
    // The header itself is refused: a malformed request, RFC 6750 3.1 invalid_request.
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'token_malformed', status: 400 } })
  })
})
