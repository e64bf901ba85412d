import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, issuer, serveJson, sign, signingKey } from '../support/fixtures.js'

// Issue 2: `onEvent` is for metrics; a faulty hook must not fail a request. Verification events were
// guarded, but JWKS events were not: a hook that threw on `jwks_fetched` turned a healthy key fetch
// into a 503 `jwks_unavailable`, and kept a key the IdP had just rotated in from being used.
describe('issue 2: an onEvent hook that throws on JWKS events', () => {
  const broken = () => {
    throw new Error('metrics backend is down')
  }

  it('does not fail the first fetch of the keys', async () => {
    const key = await signingKey('ES256')
    const idp = await serveJson(() => ({ keys: [key.publicJwk] }))
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, onEvent: broken })
    await expect(auth.verify(await sign(key))).resolves.toMatchObject({ subject: 'alice' })
    expect(idp.hits()).toBe(1)
  })

  it('does not keep a rotated-in key from being used', async () => {
    const first = await signingKey('ES256')
    const second = await signingKey('ES256')
    let keys = [first.publicJwk]
    const idp = await serveJson(() => ({ keys }))
    const auth = createAuth({
      issuer,
      audience,
      jwks: `${idp.url}/jwks`,
      jwksOptions: { cooldown: 0 },
      onEvent: broken,
    })
    await auth.verify(await sign(first))
    keys = [first.publicJwk, second.publicJwk]
    await expect(auth.verify(await sign(second))).resolves.toMatchObject({ subject: 'alice' })
  })
})
