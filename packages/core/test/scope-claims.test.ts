import { createAuth, createSessions, requireScopes } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, claims, forge, issuer, secret, serveJson, sign } from './support/fixtures.js'
import { grantsViaBoth } from './support/grants.js'

const auth0 = () => createAuth({ issuer, audience, secret, scopes: { claims: ['scope', 'permissions'] } })

describe('scopes.claims: where scopes are read from', () => {
  it("reads Auth0's permissions array beside scope, merged in order without duplicates", async () => {
    const token = await sign(secret, {
      scope: 'openid read:reports',
      permissions: ['read:reports', 'write:reports'],
    })
    const { node, fetch } = await grantsViaBoth(auth0(), token)
    for (const outcome of [node, fetch])
      expect(outcome).toEqual({
        status: 'authenticated',
        subject: 'alice',
        scopes: ['openid', 'read:reports', 'write:reports'],
        roles: [],
      })
  })

  it('lets a permissions-based scope guard pass, and refuses what the permissions lack', async () => {
    const identity = await auth0().verify(await sign(secret, { permissions: ['write:reports'] }))
    expect(() => requireScopes(identity, ['write:reports'])).not.toThrow()
    expect(() => requireScopes(identity, ['delete:reports'])).toThrow(
      expect.objectContaining({ code: 'insufficient_scope', status: 403 }),
    )
  })

  it('reads scope and scp by default, and not permissions', async () => {
    const auth = createAuth({ issuer, audience, secret })
    const token = await sign(secret, { scope: 'a', scp: ['b'], permissions: ['admin'] })
    const { node, fetch } = await grantsViaBoth(auth, token)
    for (const outcome of [node, fetch]) expect(outcome).toMatchObject({ scopes: ['a', 'b'] })
  })

  it('reads only the listed claims: scope is no longer read when left out', async () => {
    const auth = createAuth({ issuer, audience, secret, scopes: { claims: ['permissions'] } })
    const identity = await auth.verify(await sign(secret, { scope: 'admin', permissions: 'read write' }))
    expect(identity.scopes).toEqual(['read', 'write'])
  })

  it('follows dotted paths into objects, like role claims', async () => {
    const auth = createAuth({ issuer, audience, secret, scopes: { claims: ['ext.perms'] } })
    const identity = await auth.verify(await sign(secret, { ext: { perms: ['x', 'y'] } }))
    expect(identity.scopes).toEqual(['x', 'y'])
  })
})

describe('scopes.claims: hostile shapes grant nothing', () => {
  it('ignores entries that are not strings, and values that are neither strings nor arrays', async () => {
    const token = await sign(secret, {
      scope: 42,
      permissions: ['ok', 7, null, { admin: true }, ['nested'], ''],
    })
    const { node, fetch } = await grantsViaBoth(auth0(), token)
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({ status: 'authenticated', scopes: ['ok'] })
    const objectValue = await sign(secret, { permissions: { 'write:reports': true } })
    expect((await auth0().verify(objectValue)).scopes).toEqual([])
  })

  it('refuses a token whose scope claim holds more than 1024 entries (claim_invalid, 401)', async () => {
    const many = Array.from({ length: 1025 }, (_, index) => `s${index}`)
    const auth = createAuth({
      issuer,
      audience,
      secret,
      scopes: { claims: ['scope', 'permissions'] },
      maxTokenSize: 65_536,
    })
    const { node, fetch } = await grantsViaBoth(auth, await sign(secret, { permissions: many }))
    for (const outcome of [node, fetch])
      expect(outcome).toEqual({ status: 'rejected', code: 'claim_invalid', httpStatus: 401 })
    // A space-delimited string counts its entries the same way.
    await expect(auth.verify(await sign(secret, { scope: many.join(' ') }))).rejects.toMatchObject({
      code: 'claim_invalid',
    })
    await expect(
      auth.verify(await sign(secret, { permissions: many.slice(0, 1024) })),
    ).resolves.toMatchObject({
      scopes: many.slice(0, 1024),
    })
  })

  it('reads no scope through a __proto__ key, at the top or inside a dotted path', async () => {
    const { iss, aud, sub, iat, exp } = claims()
    const text = JSON.stringify({ iss, aud, sub, iat, exp })
    const top = forge(
      { alg: 'HS256' },
      `${text.slice(0, -1)},"__proto__":{"scope":"admin","permissions":["admin"]}}`,
    )
    const nested = forge({ alg: 'HS256' }, `${text.slice(0, -1)},"ext":{"__proto__":{"perms":["admin"]}}}`)
    const dotted = createAuth({
      issuer,
      audience,
      secret,
      scopes: { claims: ['scope', 'permissions', 'ext.perms'] },
    })
    for (const token of [top, nested]) {
      const { node, fetch } = await grantsViaBoth(dotted, token)
      for (const outcome of [node, fetch])
        expect(outcome).toMatchObject({ status: 'authenticated', scopes: [] })
    }
  })

  it.each([
    [[], '"scopes.claims" must be a non-empty array of claim names'],
    ['permissions', '"scopes.claims" must be a non-empty array of claim names'],
    [['scope', 7], '"scopes.claims[1]" must be a non-empty string'],
    [['scope', ''], '"scopes.claims[1]" must be a non-empty string'],
    [['__proto__.scope'], '"scopes.claims[0]" must not name __proto__, prototype or constructor'],
    [['ext.constructor'], '"scopes.claims[0]" must not name __proto__, prototype or constructor'],
  ])('refuses scopes.claims %j at construction', (paths, message) => {
    expect(() => createAuth({ issuer, audience, secret, scopes: { claims: paths as string[] } })).toThrow(
      new TypeError(message),
    )
  })

  it('checks roles.claims the same way', () => {
    expect(() => createAuth({ issuer, audience, secret, roles: { claims: 'groups' as never } })).toThrow(
      new TypeError('"roles.claims" must be a non-empty array of claim names'),
    )
    expect(() => createAuth({ issuer, audience, secret, roles: { claims: ['a.__proto__'] } })).toThrow(
      new TypeError('"roles.claims[0]" must not name __proto__, prototype or constructor'),
    )
    expect(() => createAuth({ issuer, audience, secret, scopes: null as never })).toThrow(
      new TypeError('"scopes" must be an object such as { claims: [...] }'),
    )
  })
})

describe('scopes.claims and other token kinds', () => {
  it('never applies to session tokens: their scopes come from issue({ scopes }) only (issue 11)', async () => {
    const sessions = createSessions({
      secret: 'a-session-secret-of-at-least-32-bytes',
      issuer: 'https://api.example.com',
      audience: 'https://api.example.com',
    })
    const auth = createAuth({ sessions, scopes: { claims: ['scope', 'scp', 'permissions', 'ext.perms'] } })
    const { accessToken } = await sessions.issue({
      subject: 'alice',
      scopes: ['read'],
      claims: { permissions: ['admin'], ext: { perms: ['admin'] } },
    })
    const identity = await auth.verify(accessToken)
    expect(identity.scopes).toEqual(['read'])
    expect(identity.claims).toMatchObject({ permissions: ['admin'] })
  })

  it("reads an introspection answer's RFC 7662 scope, plus the configured claims", async () => {
    const exp = Math.floor(Date.now() / 1000) + 300
    const endpoint = await serveJson(() => ({
      active: true,
      sub: 'alice',
      aud: audience,
      exp,
      scope: 'a b',
      permissions: ['c'],
    }))
    const introspection = {
      endpoint: `${endpoint.url}/introspect`,
      clientId: 'api',
      clientSecret: 'api-secret',
    }
    const configured = createAuth({
      issuer,
      audience,
      secret,
      introspection,
      scopes: { claims: ['permissions'] },
    })
    expect((await configured.verify('opaque-token-1')).scopes).toEqual(['a', 'b', 'c'])
    const plain = createAuth({ issuer, audience, secret, introspection })
    expect((await plain.verify('opaque-token-2')).scopes).toEqual(['a', 'b'])
  })
})
