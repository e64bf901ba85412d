import { headerReader } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

describe('headerReader', () => {
  it('reads Fetch Requests and Headers', () => {
    expect(headerReader(new Request('http://x', { headers: { Cookie: 'a=1' } })).all('cookie')).toEqual([
      'a=1',
    ])
    expect(headerReader(new Headers({ authorization: 'Bearer t' })).all('authorization')).toEqual([
      'Bearer t',
    ])
  })

  it('reads Node rawHeaders line by line, so repeated headers stay apart', () => {
    const request = {
      headers: { authorization: 'Bearer a' },
      rawHeaders: ['Authorization', 'Bearer a', 'Host', 'x', 'authorization', 'Bearer b'],
    }
    expect(headerReader(request).all('authorization')).toEqual(['Bearer a', 'Bearer b'])
  })

  it('reads plain records case-insensitively, arrays included', () => {
    expect(headerReader({ Cookie: ['a=1', 'b=2'], cookie: 'c=3' }).all('cookie')).toEqual([
      'a=1',
      'b=2',
      'c=3',
    ])
    expect(headerReader({ headers: { authorization: 'Bearer t' } }).all('authorization')).toEqual([
      'Bearer t',
    ])
  })

  it('reads anything else as no headers', () => {
    for (const value of [null, undefined, 42, 'Bearer t'] as unknown as Headers[])
      expect(headerReader(value).all('authorization')).toEqual([])
  })
})
