import { bearer, headerReader } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

describe('bearer', () => {
  const read = (value: string | string[]) => bearer().read(headerReader({ authorization: value }))

  it('reads the token of an RFC 6750 Bearer header', () => {
    expect(read('Bearer a.b.c')).toBe('a.b.c')
    expect(read('bearer   a.b.c ')).toBe('a.b.c')
  })

  it('reads other schemes as no token', () => {
    expect(read('Basic dXNlcjpwYXNz')).toBeUndefined()
    expect(bearer().read(headerReader({}))).toBeUndefined()
  })

  it('rejects two headers, or two joined by a comma, as token_ambiguous', () => {
    expect(() => read(['Bearer a', 'Bearer b'])).toThrow(expect.objectContaining({ code: 'token_ambiguous' }))
    expect(() => read('Bearer a, Bearer b')).toThrow(expect.objectContaining({ code: 'token_ambiguous' }))
  })

  it('rejects a malformed bearer value as token_malformed 400 (a malformed request)', () => {
    for (const value of ['Bearer', 'Bearer a"b', 'Bearer a b', 'Basic x, Bearer a', 'Bearer a, Basic x'])
      expect(() => read(value)).toThrow(expect.objectContaining({ code: 'token_malformed', status: 400 }))
  })

  it('answers two headers with status 400', () => {
    expect(() => read(['Bearer a', 'Bearer b'])).toThrow(expect.objectContaining({ status: 400 }))
  })

  it('reads a parameter named bearer in another scheme as no token', () => {
    expect(read('Digest username="a", bearer="x"')).toBeUndefined()
  })
})
