import { type AuthEvent, createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, clock, issuer, serve, serveJson, sign, signingKey } from '../support/fixtures.js'

const settle = () => new Promise((done) => setTimeout(done, 20))

describe('remote JWKS over HTTP', () => {
  it('fetches once for many tokens', async () => {
    const key = await signingKey('ES256')
    const idp = await serveJson(() => ({ keys: [key.publicJwk] }))
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks` })
    for (let i = 0; i < 20; i++) await auth.verify(await sign(key, { jti: String(i) }))
    expect(idp.hits()).toBe(1)
  })

  it('merges concurrent fetches into one', async () => {
    const key = await signingKey('ES256')
    const idp = await serve((_request, response) => {
      setTimeout(() => response.end(JSON.stringify({ keys: [key.publicJwk] })), 30)
    })
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks` })
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => sign(key, { jti: String(i) })))
    const identities = await Promise.all(tokens.map((token) => auth.verify(token)))
    expect(identities).toHaveLength(20)
    expect(idp.hits()).toBe(1)
  })

  it('picks up a rotated-in key with one refetch', async () => {
    const time = clock()
    const oldKey = await signingKey('ES256', 'old')
    const newKey = await signingKey('RS256', 'new')
    let keys = [oldKey.publicJwk]
    const idp = await serveJson(() => ({ keys }))
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, now: time.now })
    await auth.verify(await sign(oldKey, {}, {}, time.now()))
    keys = [oldKey.publicJwk, newKey.publicJwk]
    time.advance(31_000) // past the unknown-kid cooldown, still within maxAge
    expect((await auth.verify(await sign(newKey, {}, {}, time.now()))).keyId).toBe('new')
    expect(idp.hits()).toBe(2)
  })

  it('refetches an unknown kid at most once per cooldown', async () => {
    const time = clock()
    const key = await signingKey('ES256', 'known')
    const idp = await serveJson(() => ({ keys: [key.publicJwk] }))
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, now: time.now })
    await auth.verify(await sign(key, {}, {}, time.now()))
    time.advance(31_000)
    const flood = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const token = await sign(key, {}, { kid: `random-${i}` }, time.now())
        return auth.verify(token).catch((error: unknown) => error)
      }),
    )
    for (const error of flood) expect(error).toMatchObject({ code: 'key_not_found', status: 401 })
    expect(idp.hits()).toBe(2)
    for (let i = 0; i < 20; i++)
      await expect(auth.verify(await sign(key, {}, { kid: `again-${i}` }, time.now()))).rejects.toMatchObject(
        {
          code: 'key_not_found',
        },
      )
    expect(idp.hits()).toBe(2)
    time.advance(31_000)
    await expect(auth.verify(await sign(key, {}, { kid: 'later' }, time.now()))).rejects.toMatchObject({
      code: 'key_not_found',
    })
    expect(idp.hits()).toBe(3)
  })

  it('times out a JWKS that never answers, with jwks_unavailable 503', async () => {
    const key = await signingKey('ES256')
    const idp = await serve(() => {}) // never responds
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, jwksOptions: { timeout: '200ms' } })
    const error = await auth.verify(await sign(key)).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'jwks_unavailable', status: 503 })
    expect((error as Error).message).toContain('timed out')
  })

  it('times out a JWKS that trickles its body', async () => {
    const key = await signingKey('ES256')
    const idp = await serve((_request, response) => {
      response.write('{"keys": [')
      const timer = setInterval(() => response.write(' '), 20)
      response.on('close', () => clearInterval(timer))
    })
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, jwksOptions: { timeout: '200ms' } })
    await expect(auth.verify(await sign(key))).rejects.toMatchObject({
      code: 'jwks_unavailable',
      status: 503,
    })
  })

  it('keeps serving cached keys while the IdP is down, for the stale period only', async () => {
    const time = clock()
    const key = await signingKey('ES256')
    let up = true
    const idp = await serve((_request, response) => {
      if (!up) {
        response.statusCode = 500
        return response.end('down')
      }
      response.end(JSON.stringify({ keys: [key.publicJwk] }))
    })
    const events: AuthEvent[] = []
    const auth = createAuth({
      issuer,
      audience,
      jwks: `${idp.url}/jwks`,
      now: time.now,
      onEvent: (event) => events.push(event),
      jwksOptions: { maxAge: '10m', staleIfError: '1h' },
    })
    await auth.verify(await sign(key, {}, {}, time.now()))
    up = false
    time.advance(11 * 60_000) // stale: served, refreshed in the background
    await auth.verify(await sign(key, {}, {}, time.now()))
    await settle()
    expect(events.some((event) => event.type === 'jwks_fetch_failed')).toBe(true)
    time.advance(40 * 60_000) // still inside maxAge + staleIfError
    await auth.verify(await sign(key, {}, {}, time.now()))
    await settle()
    time.advance(20 * 60_000) // past it: no trusted keys left
    await expect(auth.verify(await sign(key, {}, {}, time.now()))).rejects.toMatchObject({
      code: 'jwks_unavailable',
      status: 503,
    })
    up = true
    time.advance(31_000)
    expect((await auth.verify(await sign(key, {}, {}, time.now()))).subject).toBe('alice')
  })

  it('does not hammer a down IdP: one fetch per cooldown', async () => {
    const time = clock()
    const key = await signingKey('ES256')
    const idp = await serve((_request, response) => {
      response.statusCode = 503
      response.end()
    })
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, now: time.now })
    for (let i = 0; i < 10; i++)
      await expect(auth.verify(await sign(key, { jti: String(i) }, {}, time.now()))).rejects.toMatchObject({
        code: 'jwks_unavailable',
        status: 503,
      })
    expect(idp.hits()).toBe(1)
    time.advance(31_000)
    await expect(auth.verify(await sign(key, {}, {}, time.now()))).rejects.toMatchObject({
      code: 'jwks_unavailable',
    })
    expect(idp.hits()).toBe(2)
  })

  it.each([
    ['not JSON', 'text/html', '<html>oops</html>', 'not JSON'],
    ['a JSON array', 'application/json', '[]', 'not a JSON Web Key Set'],
    ['keys that are not an array', 'application/json', '{"keys": {"a": 1}}', 'not a JSON Web Key Set'],
    [
      'no usable keys',
      'application/json',
      '{"keys": [1, "x", null, {"kty": "oct", "k": "AAAA"}]}',
      'no usable',
    ],
    [
      'too many keys',
      'application/json',
      JSON.stringify({ keys: Array(101).fill({}) }),
      'more than 100 keys',
    ],
  ])('rejects a JWKS that is %s with a clear reason and keeps serving', async (_name, type, body, reason) => {
    const time = clock()
    const key = await signingKey('ES256')
    let broken = true
    const idp = await serve((_request, response) => {
      response.setHeader('content-type', type)
      response.end(broken ? body : JSON.stringify({ keys: [key.publicJwk] }))
    })
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, now: time.now })
    const error = await auth.verify(await sign(key, {}, {}, time.now())).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'jwks_unavailable', status: 503 })
    expect((error as Error).message).toContain(reason)
    broken = false
    time.advance(31_000)
    expect((await auth.verify(await sign(key, {}, {}, time.now()))).subject).toBe('alice')
  })

  it('refuses a huge JWKS, declared or streamed', async () => {
    const key = await signingKey('ES256')
    const huge = JSON.stringify({ keys: [key.publicJwk], padding: 'x'.repeat(300_000) })
    for (const chunked of [false, true]) {
      const idp = await serve((_request, response) => {
        if (chunked) {
          response.write(huge.slice(0, 1000))
          response.end(huge.slice(1000))
        } else {
          response.setHeader('content-length', Buffer.byteLength(huge))
          response.end(huge)
        }
      })
      const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks` })
      const error = await auth.verify(await sign(key)).catch((caught: unknown) => caught)
      expect(error).toMatchObject({ code: 'jwks_unavailable', status: 503 })
      expect((error as Error).message).toContain('larger than')
    }
  })

  it('skips unusable keys in a set and reports how many', async () => {
    const key = await signingKey('ES256')
    const weak = { kty: 'RSA', n: Buffer.alloc(128, 1).toString('base64url'), e: 'AQAB', kid: 'weak' }
    const events: AuthEvent[] = []
    const idp = await serveJson(() => ({ keys: [weak, { kty: 'oct', k: 'c2VjcmV0' }, key.publicJwk] }))
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, onEvent: (e) => events.push(e) })
    await auth.verify(await sign(key))
    expect(events).toContainEqual(expect.objectContaining({ type: 'jwks_fetched', keys: 1, skipped: 2 }))
  })

  it('uses neither key when two keys in the set share a kid', async () => {
    const first = await signingKey('ES256', 'same')
    const second = await signingKey('ES256', 'same')
    const other = await signingKey('ES256', 'other')
    const idp = await serveJson(() => ({ keys: [first.publicJwk, second.publicJwk, other.publicJwk] }))
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks` })
    await expect(auth.verify(await sign(first))).rejects.toMatchObject({ code: 'key_not_found' })
    expect((await auth.verify(await sign(other))).keyId).toBe('other')
  })

  it('refetches after invalidate(), and clear() also forgets verified tokens', async () => {
    const key = await signingKey('ES256')
    const idp = await serveJson(() => ({ keys: [key.publicJwk] }))
    const events: AuthEvent[] = []
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/jwks`, onEvent: (e) => events.push(e) })
    const token = await sign(key)
    await auth.verify(token)
    auth.invalidate()
    await auth.verify(await sign(key, { jti: 'second' }))
    expect(idp.hits()).toBe(2)
    await auth.verify(token)
    expect(events.at(-1)).toMatchObject({ type: 'verified', cached: true })
    auth.clear()
    await auth.verify(token)
    expect(idp.hits()).toBe(3)
    expect(events.at(-1)).toMatchObject({ type: 'verified', cached: false })
  })

  it('follows a redirect that stays secure (loopback here)', async () => {
    const key = await signingKey('ES256')
    const idp = await serve((request, response) => {
      if (request.url === '/old') {
        response.writeHead(302, { location: '/jwks' })
        return response.end()
      }
      response.end(JSON.stringify({ keys: [key.publicJwk] }))
    })
    const auth = createAuth({ issuer, audience, jwks: `${idp.url}/old` })
    expect((await auth.verify(await sign(key))).subject).toBe('alice')
    expect(idp.hits()).toBe(2)
  })
})
