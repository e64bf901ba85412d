import { createAuth, type StandardSchemaV1 } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, clock, issuer, serveJson, sign, signingKey } from '../support/fixtures.js'

// Review: a refetch that no longer held a key dropped the cached tokens that key had verified, but a
// verification still in flight at that moment (its signature checked by the old key, its claims schema
// still running) was cached afterwards, and its token then passed from the cache until its `exp`,
// although the IdP had pulled the key. A token whose key was pulled before its answer is now rejected
// with key_not_found and never cached.
describe('review: a key pulled while a token it signed is being verified', () => {
  it('rejects that token, then and on every later request', async () => {
    const time = clock()
    const pulled = await signingKey('ES256', 'pulled')
    const kept = await signingKey('ES256', 'kept')
    let keys = [pulled.publicJwk, kept.publicJwk]
    const idp = await serveJson(() => ({ keys }))
    // A claims schema that waits for the test: verification is held between signature and answer.
    let release: () => void = () => {}
    let entered: () => void = () => {}
    const inSchema = new Promise<void>((resolve) => {
      entered = resolve
    })
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let hold = true
    const claims: StandardSchemaV1<Record<string, unknown>> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        async validate(value) {
          if (hold) {
            entered()
            await gate
          }
          return { value: value as Record<string, unknown> }
        },
      },
    }
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, now: time.now, claims })
    await auth.ready()
    const token = await sign(pulled, {}, {}, time.now())

    const inFlight = auth.verify(token)
    await inSchema
    keys = [kept.publicJwk]
    await auth.invalidate()
    release()
    await expect(inFlight).rejects.toMatchObject({ code: 'key_not_found', status: 401 })
    hold = false
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'key_not_found', status: 401 })
    const result = await auth.authenticate(
      new Request('http://x/', { headers: { authorization: `Bearer ${token}` } }),
    )
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'key_not_found' } })
    // The kept key still verifies.
    await expect(auth.verify(await sign(kept, {}, {}, time.now()))).resolves.toMatchObject({ keyId: 'kept' })
  })

  it('accepts a key again once the IdP republishes it after a kid clash had taken it out', async () => {
    const time = clock()
    const back = await signingKey('ES256', 'back')
    const clash = await signingKey('ES256', 'back')
    const other = await signingKey('ES256', 'other')
    let keys = [back.publicJwk, other.publicJwk]
    const idp = await serveJson(() => ({ keys }))
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, now: time.now })
    const token = await sign(back, {}, {}, time.now())
    await expect(auth.verify(token)).resolves.toMatchObject({ keyId: 'back' })
    // Two keys under one kid: neither is used, so the key counts as removed.
    keys = [back.publicJwk, clash.publicJwk, other.publicJwk]
    await auth.invalidate()
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'key_not_found' })
    keys = [back.publicJwk, other.publicJwk]
    await auth.invalidate()
    await expect(auth.verify(token)).resolves.toMatchObject({ keyId: 'back' })
  })
})
