import { bearer, createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { TokenCache } from '../../src/cache.js'
import { audience, issuer, secret, sign } from '../support/fixtures.js'

// Issue 17: the cache finds a token by its length and last characters, and the bearer source takes a
// shortcut for a cached token. Neither may serve one token's identity for another.

/** The same length and the same last 16 characters as `token`, but another token. */
const sameTail = (token: string) => `${token[0] === 'e' ? 'f' : 'e'}${token.slice(1)}`
/** `token` with its last character changed (a forged signature, as far as the cache can tell). */
const lastChanged = (token: string) => `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`

describe('the verified-token cache matches the exact token', () => {
  it('never serves a token that shares a length and a tail with a cached one', () => {
    const cache = new TokenCache<string>(10)
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWFsaWNlLXRva2Vu'
    cache.set(token, 'alice')
    expect(cache.get(sameTail(token))).toBeUndefined()
    expect(cache.get(lastChanged(token))).toBeUndefined()
    expect(cache.get(token.slice(0, -1))).toBeUndefined()
    expect(cache.get(`${token}A`)).toBeUndefined()
    expect(cache.get(token)).toBe('alice')
  })

  it('keeps colliding tokens apart: each its own entry, dropped on its own', () => {
    const cache = new TokenCache<string>(10)
    const first = 'aaaa.bbbb.the-same-last-sixteen'
    const second = sameTail(first)
    cache.set(first, 'first')
    cache.set(second, 'second')
    expect([cache.get(first), cache.get(second), cache.size]).toEqual(['first', 'second', 2])
    cache.delete(first)
    expect([cache.get(first), cache.get(second), cache.size]).toEqual([undefined, 'second', 1])
    cache.set(first, 'again')
    cache.deleteWhere((value) => value === 'second')
    expect([cache.get(first), cache.get(second), cache.size]).toEqual(['again', undefined, 1])
  })

  it('stays bounded when tokens collide', () => {
    const cache = new TokenCache<number>(3)
    const tokens = ['a', 'b', 'c', 'd', 'e'].map((first) => `${first}.payload.the-same-last-sixteen`)
    for (const [index, token] of tokens.entries()) cache.set(token, index)
    expect(cache.size).toBeLessThanOrEqual(3)
    for (const [index, token] of tokens.entries()) expect([undefined, index]).toContain(cache.get(token))
  })

  it('forgets a token once it is dropped, even right after looking it up', () => {
    const cache = new TokenCache<string>(1)
    cache.set('first.token.value', 'first')
    expect(cache.get('first.token.value')).toBe('first')
    cache.set('second.token.value', 'second')
    expect(cache.get('first.token.value')).toBeUndefined()
    expect(cache.get('second.token.value')).toBe('second')
    cache.delete('second.token.value')
    expect(cache.get('second.token.value')).toBeUndefined()
    cache.set('third.token.value', 'third')
    expect(cache.get('third.token.value')).toBe('third')
    cache.deleteWhere((value) => value === 'third')
    expect(cache.get('third.token.value')).toBeUndefined()
    cache.set('fourth.token.value', 'fourth')
    expect(cache.get('fourth.token.value')).toBe('fourth')
    cache.clear()
    expect(cache.get('fourth.token.value')).toBeUndefined()
  })

  it('vouches for a bearer header only for a cached b64token', () => {
    const cache = new TokenCache<string>(10)
    cache.set('abc.def.ghi', 'ok')
    cache.set('abc def', 'spaced')
    expect(cache.isWellFormed('abc.def.ghi')).toBe(true)
    expect(cache.isWellFormed('abc def')).toBe(false)
    expect(cache.isWellFormed('abc.def.ghj')).toBe(false)
  })
})

describe('a cached bearer token, read without the regular expression', () => {
  it('serves the cached identity only to the exact token', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const token = await sign(secret)
    expect(await auth.authenticate({ authorization: `Bearer ${token}` })).toMatchObject({
      status: 'authenticated',
    })
    for (const other of [lastChanged(token), sameTail(token), `${token}A`, token.slice(0, -1)]) {
      const request = { authorization: `Bearer ${other}` }
      expect(auth.authenticateSync(request)?.status).not.toBe('authenticated')
      expect(await auth.authenticate(request)).toMatchObject({ status: 'rejected' })
    }
  })

  it('still reads every spelling RFC 6750 allows, and rejects what it forbids, for a cached token', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const token = await sign(secret)
    await auth.verify(token)
    for (const authorization of [
      `bearer ${token}`,
      `Bearer  ${token}`,
      `Bearer ${token} `,
      `BEARER ${token}`,
    ])
      expect(auth.authenticateSync({ authorization })).toMatchObject({ status: 'authenticated' })
    const other = await sign(secret, { sub: 'bob' })
    const rejections = [
      [{ authorization: [`Bearer ${token}`, `Bearer ${token}`] }, 'token_ambiguous'],
      [{ authorization: `Bearer ${token}, Bearer ${other}` }, 'token_ambiguous'],
      [{ authorization: `Bearer ${token}, Basic eA==` }, 'token_malformed'],
      [{ authorization: `Bearer ${token} x` }, 'token_malformed'],
      [
        new Headers([
          ['authorization', `Bearer ${token}`],
          ['authorization', `Bearer ${token}`],
        ]),
        'token_ambiguous',
      ],
    ] as const
    for (const [request, code] of rejections)
      expect(auth.authenticateSync(request)).toMatchObject({
        status: 'rejected',
        error: { code, status: 400 },
      })
  })

  it('still reads the other sources: a cookie naming someone else is token_ambiguous', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const token = await sign(secret)
    const other = await sign(secret, { sub: 'bob' })
    await auth.verify(token)
    await auth.verify(other)
    const request = { authorization: `Bearer ${token}`, cookie: `__session=${other}` }
    expect(await auth.authenticate(request)).toMatchObject({
      status: 'rejected',
      error: { code: 'token_ambiguous' },
    })
  })

  it('never bypasses a reader that is not bearer() itself', async () => {
    const read: string[] = []
    const custom = {
      ...bearer(),
      read: (headers: { all(name: string): readonly string[] }) => {
        read.push('custom')
        return headers.all('authorization')[0]?.slice(7)
      },
    }
    const auth = createAuth({ issuer, audience, secret, sources: [custom] })
    const token = await sign(secret)
    await auth.authenticate({ authorization: `Bearer ${token}` })
    auth.authenticateSync({ authorization: `Bearer ${token}` })
    expect(read).toEqual(['custom', 'custom', 'custom'])
    expect(Object.isFrozen(bearer())).toBe(true)
  })
})
