import { describe, expect, it } from 'vitest'
import { applySetCookie } from '../../src/internal/cookies.js'

describe('applySetCookie', () => {
  it('replaces refreshed cookies and keeps the others as sent', () => {
    expect(
      applySetCookie('theme=dark; session=old; lang=en', [
        'session=new; Path=/; HttpOnly',
        'refresh=r2; Path=/',
      ]),
    ).toBe('theme=dark; lang=en; session=new; refresh=r2')
  })

  it('drops cleared cookies', () => {
    expect(applySetCookie('session=old; theme=dark', ['session=; Max-Age=0; Path=/'])).toBe('theme=dark')
  })

  it('starts from no Cookie header', () => {
    expect(applySetCookie(null, ['session=new; Path=/'])).toBe('session=new')
  })
})
