import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { manualClock, testSessions, withCookies } from '../support/sessions.js'

async function setup() {
  const clock = manualClock()
  const { sessions } = testSessions(clock, { accessTtl: '1m' })
  const auth = createAuth({ sessions })
  const issued = await sessions.issue({ subject: 'alice' })
  return { clock, sessions, auth, issued, request: withCookies(issued.setCookie) }
}

describe('authenticate(request, { refresh: false })', () => {
  it('verifies a live access cookie as usual', async () => {
    const { auth, request } = await setup()
    const result = await auth.authenticate(request, { refresh: false })
    expect(result).toMatchObject({ status: 'authenticated', identity: { subject: 'alice' } })
    expect(result.setCookie).toBeUndefined()
  })

  it('rejects an expired access cookie with token_expired, leaving the refresh token unrotated', async () => {
    const { auth, clock, request } = await setup()
    clock.advance(2 * 60_000)
    const result = await auth.authenticate(request, { refresh: false })
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'token_expired', status: 401 } })
    // No cookies to clear: the refresh cookie is still good where a response can carry new cookies.
    expect(result.setCookie).toBeUndefined()
    // Long after the refresh grace, the browser's refresh token still works: nothing rotated it.
    clock.advance(60_000)
    const refreshed = await auth.authenticate(request)
    expect(refreshed).toMatchObject({ status: 'authenticated', identity: { subject: 'alice' } })
    expect(refreshed.setCookie).toHaveLength(2)
  })

  it('rejects a request holding only a refresh cookie with token_expired: refresh over HTTP first', async () => {
    const { auth, issued } = await setup()
    const onlyRefresh = withCookies(issued.setCookie.slice(1))
    const result = await auth.authenticate(onlyRefresh, { refresh: false })
    expect(result).toMatchObject({
      status: 'rejected',
      error: {
        code: 'token_expired',
        status: 401,
        message: expect.stringContaining('refresh the session over HTTP'),
      },
    })
    // Nothing was rotated or cleared: an HTTP request still refreshes from the same cookie.
    expect(result.setCookie).toBeUndefined()
    expect(await auth.authenticate(onlyRefresh)).toMatchObject({ status: 'authenticated' })
  })

  it('rejects a revoked session with revoked', async () => {
    const { auth, issued, request, sessions } = await setup()
    await sessions.revoke(issued.sessionId)
    const result = await auth.authenticate(request, { refresh: false })
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'revoked', status: 401 } })
  })
})
