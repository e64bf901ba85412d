import { createAuth } from '@portcullis/core'
import { SignJWT } from 'jose'
import { describe, expect, it, onTestFinished } from 'vitest'
import { audience, clock, issuer, secret, serve, sign, signingKey } from '../support/fixtures.js'
import { providerKey, startProvider as startOidcProvider } from '../support/oidc-provider.js'

const settle = async (done: () => boolean) => {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

/** A real OpenID Provider on loopback, stopped when the test ends; `paths` are the requests it served. */
async function startProvider() {
  const key = await providerKey('op-key')
  const op = await startOidcProvider({ jwks: { keys: [key.jwk] } })
  onTestFinished(op.close)
  const token = () =>
    new SignJWT({ sub: 'alice', aud: audience })
      .setProtectedHeader({ alg: 'ES256', kid: 'op-key' })
      .setIssuer(op.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey)
  return { url: op.issuer, paths: op.paths, token }
}

// Issue 15: nothing warmed the key sets up (the first requests paid discovery and the JWKS fetch, or
// failed), and an operator could not see whether keys were fresh, stale or missing.
describe('issue 15: auth.ready() and auth.health()', () => {
  it('warms up discovery and the key set of a real OpenID Provider, then verifies without fetching', async () => {
    const op = await startProvider()
    const auth = createAuth({ issuer: op.url, audience })
    expect(auth.health()).toMatchObject({
      ready: false,
      issuers: [{ issuer: op.url, kind: 'remote', keys: 0, lastFetchedAt: undefined, ready: false }],
    })
    const before = Date.now()
    await auth.ready()
    expect(op.paths).toEqual(['/.well-known/openid-configuration', '/jwks'])
    const [health] = auth.health().issuers
    expect(health).toMatchObject({ url: `${op.url}/jwks`, keys: 1, stale: false, ready: true })
    expect(health!.lastFetchedAt!.getTime()).toBeGreaterThanOrEqual(before)
    expect(auth.health().ready).toBe(true)
    // Warm: no fetch for the first token, and ready() again costs nothing.
    expect((await auth.verify(await op.token())).keyId).toBe('op-key')
    await auth.ready()
    expect(op.paths).toHaveLength(2)
  })

  it('rejects while the IdP is down, naming the issuer and why, and resolves once it is back', async () => {
    const time = clock()
    const key = await signingKey('ES256')
    let up = false
    const idp = await serve((_request, response) => {
      response.statusCode = up ? 200 : 503
      response.end(up ? JSON.stringify({ keys: [key.publicJwk] }) : '')
    })
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, now: time.now })
    const error = await auth.ready().catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'jwks_unavailable', status: 503 })
    expect((error as Error).message).toBe(
      `not ready: "${issuer}": signing keys could not be fetched (HTTP 503)`,
    )
    expect(auth.health()).toMatchObject({ ready: false, issuers: [{ ready: false, lastError: 'HTTP 503' }] })
    up = true
    // A probe calling again within the retry delay does not hammer the IdP.
    await expect(auth.ready()).rejects.toMatchObject({ code: 'jwks_unavailable' })
    expect(idp.hits()).toBe(1)
    time.advance(1000)
    await auth.ready()
    expect(auth.health()).toMatchObject({ ready: true, issuers: [{ keys: 1, lastError: undefined }] })
  })

  it('reports keys served stale while the IdP is down, and still ready within staleIfError', async () => {
    const time = clock()
    const key = await signingKey('ES256')
    let up = true
    const idp = await serve((_request, response) => {
      response.statusCode = up ? 200 : 500
      response.end(up ? JSON.stringify({ keys: [key.publicJwk] }) : 'down')
    })
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, now: time.now })
    await auth.ready()
    const fetchedAt = auth.health().issuers[0]!.lastFetchedAt
    up = false
    time.advance(11 * 60_000) // past maxAge: the next token is served stale and a refetch fails
    await auth.verify(await sign(key, {}, {}, time.now()))
    await settle(() => auth.health().issuers[0]!.lastError !== undefined)
    expect(auth.health()).toMatchObject({
      ready: true,
      issuers: [{ stale: true, ready: true, keys: 1, lastError: 'HTTP 500', lastFetchedAt: fetchedAt }],
    })
    time.advance(60 * 60_000) // past maxAge + staleIfError: nothing left to trust
    expect(auth.health()).toMatchObject({ ready: false, issuers: [{ ready: false }] })
    await expect(auth.ready()).rejects.toMatchObject({ code: 'jwks_unavailable' })
  })

  it('lists every issuer, local ones always ready', async () => {
    const key = await signingKey('ES256')
    const idp = await serve((_request, response) => response.end(JSON.stringify({ keys: [key.publicJwk] })))
    const auth = createAuth({
      issuers: [
        { issuer: 'https://local.example/', audience, secret },
        { issuer, audience, jwks: `${idp.url}/jwks` },
      ],
    })
    await auth.ready()
    expect(auth.health().issuers).toMatchObject([
      { issuer: 'https://local.example/', kind: 'local', keys: 1, ready: true, stale: false },
      { issuer, kind: 'remote', keys: 1, ready: true },
    ])
  })
})
