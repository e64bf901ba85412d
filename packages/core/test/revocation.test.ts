import { type AuthEvent, createAuth, createSessions, type Identity } from '@portcullis/core'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { viaBoth } from './support/both.js'
import { audience, issuer, secret, serveJson, sign } from './support/fixtures.js'

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const nextTurn = () => new Promise((done) => setTimeout(done, 5))

describe('revoked: a hook asked on every request', () => {
  it('refuses a token the hook calls revoked (revoked, 401), through node:http and Fetch', async () => {
    const auth = createAuth({
      issuer,
      audience,
      secret,
      revoked: (identity) => identity.subject === 'mallory',
    })
    const token = await sign(secret, { sub: 'mallory' })
    const { node, fetch } = await viaBoth(auth, [['authorization', `Bearer ${token}`]])
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({ status: 'rejected', code: 'revoked', httpStatus: 401 })
    expect(node.status === 'rejected' && node.challenge).toContain('error="invalid_token"')
    const ok = await viaBoth(auth, [['authorization', `Bearer ${await sign(secret)}`]])
    expect(ok.node).toMatchObject({ status: 'authenticated', subject: 'alice' })
  })

  it('refuses a cached token the moment the hook says so, and passes it again when it stops', async () => {
    let denied = false
    let asked = 0
    const auth = createAuth({
      issuer,
      audience,
      secret,
      revoked: () => {
        asked++
        return denied
      },
    })
    const token = await sign(secret)
    expect(await auth.authenticate(bearer(token))).toMatchObject({ status: 'authenticated' })
    // Cached now: answered synchronously, and the hook is still asked.
    expect(auth.authenticateSync(bearer(token))).toMatchObject({ status: 'authenticated' })
    denied = true
    expect(auth.authenticateSync(bearer(token))).toMatchObject({
      status: 'rejected',
      error: { code: 'revoked', status: 401 },
    })
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'revoked' })
    denied = false
    expect(await auth.authenticate(bearer(token))).toMatchObject({ status: 'authenticated' })
    // One question per request: two authenticate, two authenticateSync, one verify.
    expect(asked).toBe(5)
  })

  it('makes authenticateSync wait for an async hook, and asks it once per request', async () => {
    let denied = false
    let asked = 0
    const auth = createAuth({
      issuer,
      audience,
      secret,
      revoked: async (identity: Identity) => {
        asked++
        await nextTurn()
        return denied && identity.subject === 'alice'
      },
    })
    const token = await sign(secret)
    expect(await auth.authenticate(bearer(token))).toMatchObject({ status: 'authenticated' })
    expect(asked).toBe(1)
    // The adapters' pattern: a cached token with an async hook waits, and the hook runs once.
    const request = bearer(token)
    const result = auth.authenticateSync(request) ?? (await auth.authenticate(request))
    expect(result).toMatchObject({ status: 'authenticated' })
    expect(asked).toBe(2)
    denied = true
    expect(auth.authenticateSync(request) ?? (await auth.authenticate(request))).toMatchObject({
      status: 'rejected',
      error: { code: 'revoked', status: 401 },
    })
    expect(asked).toBe(3)
  })

  it('never reuses an answer for a later request: a started check is gone by the next turn', async () => {
    let denied = false
    const auth = createAuth({ issuer, audience, secret, revoked: async () => denied })
    const token = await sign(secret)
    await auth.authenticate(bearer(token))
    // Started, never awaited (a caller of authenticateSync alone).
    expect(auth.authenticateSync(bearer(token))).toBeUndefined()
    denied = true
    await nextTurn()
    expect(await auth.authenticate(bearer(token))).toMatchObject({
      status: 'rejected',
      error: { code: 'revoked' },
    })
  })

  it.each([
    [
      'throws',
      () => {
        throw new Error('redis down; token was TOKEN')
      },
    ],
    [
      'rejects',
      async () => {
        throw new Error('redis down; token was TOKEN')
      },
    ],
    ['answers undefined', () => undefined as unknown as boolean],
    ['answers a string', async () => 'yes' as unknown as boolean],
  ])(
    'is a 503 revocation_unavailable when the hook %s, quoting neither its error nor the token',
    async (_name, hook) => {
      const events: AuthEvent[] = []
      const token = await sign(secret)
      const auth = createAuth({
        issuer,
        audience,
        secret,
        revoked: (identity) => (identity ? hook() : false),
        onEvent: (event) => events.push(event),
      })
      const { node, fetch } = await viaBoth(auth, [['authorization', `Bearer ${token}`]])
      for (const outcome of [node, fetch])
        expect(outcome).toMatchObject({ status: 'rejected', code: 'revocation_unavailable', httpStatus: 503 })
      expect(node.status === 'rejected' && node.challenge).toBe('Bearer')
      const error = await auth.verify(token).catch((caught: unknown) => caught)
      expect(error).toMatchObject({ code: 'revocation_unavailable', status: 503 })
      expect((error as Error).cause).toBeUndefined()
      const shown = JSON.stringify([String(error), (error as Error).stack, error, events, node, fetch])
      expect(shown).not.toContain(token)
      expect(shown).not.toContain('redis down')
      expect(events.filter((event) => event.type === 'rejected')).not.toHaveLength(0)
    },
  )

  it('keeps serving: a hook that failed once answers the next request', async () => {
    let failing = true
    const auth = createAuth({
      issuer,
      audience,
      secret,
      revoked: () => {
        if (failing) throw new Error('down')
        return false
      },
    })
    const token = await sign(secret)
    expect(await auth.authenticate(bearer(token))).toMatchObject({
      error: { code: 'revocation_unavailable' },
    })
    failing = false
    // Still cached (the failure was the hook's, not the token's): answered without waiting.
    expect(auth.authenticateSync(bearer(token))).toMatchObject({ status: 'authenticated' })
  })

  it('gives the hook the verified identity: subject, issuer, jti, source', async () => {
    const seen: Identity[] = []
    const auth = createAuth({
      issuer,
      audience,
      secret,
      revoked: (identity) => {
        seen.push(identity)
        return false
      },
    })
    await auth.authenticate(bearer(await sign(secret, { jti: 'token-1' })))
    expect(seen[0]).toMatchObject({ subject: 'alice', issuer, source: 'bearer', payload: { jti: 'token-1' } })
  })

  it('applies to session tokens too, besides their own revocation', async () => {
    const sessions = createSessions({
      secret: 'a-session-secret-of-at-least-32-bytes',
      issuer: 'https://api.example.com',
      audience: 'https://api.example.com',
    })
    const auth = createAuth({ sessions, revoked: (identity) => identity.subject === 'mallory' })
    const { accessToken } = await sessions.issue({ subject: 'mallory' })
    await expect(auth.verify(accessToken)).rejects.toMatchObject({ code: 'revoked', status: 401 })
    const good = await sessions.issue({ subject: 'alice' })
    await expect(auth.verify(good.accessToken)).resolves.toMatchObject({ subject: 'alice' })
  })

  it('applies to introspected tokens, their cache hits included', async () => {
    const exp = Math.floor(Date.now() / 1000) + 300
    const endpoint = await serveJson(() => ({ active: true, sub: 'alice', aud: audience, exp }))
    let denied = false
    const auth = createAuth({
      issuer,
      audience,
      secret,
      revoked: () => denied,
      introspection: { endpoint: `${endpoint.url}/introspect`, clientId: 'api', clientSecret: 'api-secret' },
    })
    expect(await auth.authenticate(bearer('opaque-1'))).toMatchObject({ status: 'authenticated' })
    denied = true
    expect(await auth.authenticate(bearer('opaque-1'))).toMatchObject({ error: { code: 'revoked' } })
    expect(endpoint.hits()).toBe(1)
  })

  it('refuses a hook that is not a function at construction', () => {
    expect(() => createAuth({ issuer, audience, secret, revoked: true as never })).toThrow(
      new TypeError('"revoked" must be a function (identity) => boolean | Promise<boolean>'),
    )
  })

  it("types the hook's identity by the claims schema", async () => {
    const seen: string[] = []
    const auth = createAuth({
      issuer,
      audience,
      secret,
      claims: z.object({ sub: z.string(), tenant: z.string().default('acme') }),
      revoked: (identity) => {
        expectTypeOf(identity.claims.tenant).toEqualTypeOf<string>()
        seen.push(identity.claims.tenant)
        return false
      },
    })
    await auth.verify(await sign(secret))
    expect(seen).toEqual(['acme'])
  })
})
