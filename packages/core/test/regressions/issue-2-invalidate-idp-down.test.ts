import { createAuth } from '@portcullis/core'
import { expect, it } from 'vitest'
import { audience, issuer, serve, sign, signingKey } from '../support/fixtures.js'

// invalidate() used to mark the cached keys older than their stale period, so one call while the IdP
// was down turned every request into jwks_unavailable although the keys were minutes old.
it('keeps serving cached keys after invalidate() while the IdP is down', async () => {
  const key = await signingKey('ES256')
  let up = true
  const idp = await serve((_request, response) => {
    response.statusCode = up ? 200 : 502
    response.end(up ? JSON.stringify({ keys: [key.publicJwk] }) : '')
  })
  const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks` })
  await auth.verify(await sign(key, { jti: '1' }))
  up = false
  auth.invalidate()
  expect((await auth.verify(await sign(key, { jti: '2' }))).subject).toBe('alice')
  expect(idp.hits()).toBe(2)
  // clear() forgets the keys: with the IdP down there is nothing left to trust.
  auth.clear()
  await expect(auth.verify(await sign(key, { jti: '3' }))).rejects.toMatchObject({
    code: 'jwks_unavailable',
    status: 503,
  })
})
