import { cookie, headerReader, readCookie } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

describe('cookie', () => {
  it('reads one cookie by exact name', () => {
    const headers = headerReader({ cookie: 'other=1; __session=abc; session=2' })
    expect(cookie('__session').read(headers)).toBe('abc')
    expect(readCookie(headers, 'missing')).toBeUndefined()
  })

  it('refuses two different values as token_ambiguous', () => {
    expect(() => readCookie(headerReader({ cookie: 'a=1; a=2' }), 'a')).toThrow(
      expect.objectContaining({ code: 'token_ambiguous', status: 400 }),
    )
  })

  it.each(['', 'a b', 'a;b', 'a=b', 'é'])('refuses the cookie name %j at construction', (name) => {
    expect(() => cookie(name)).toThrow(/"cookie" name must be a valid cookie name/)
  })
})
