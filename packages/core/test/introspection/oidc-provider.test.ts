/**
 * A real OpenID Provider (panva's oidc-provider 8) on loopback issues opaque access tokens by the
 * client credentials grant (RFC 8707 resource indicators set their audience) and answers RFC 7662
 * introspection; core verifies those tokens through it.
 */
import { type AuthEvent, createAuth } from '@portcullis/core'
import { type CryptoKey, exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  accessTokenOf,
  clientCredentialsClient,
  clientCredentialsFeatures,
  type RunningProvider,
  startProvider,
} from '../support/oidc-provider.js'

const audience = 'https://api.example.com'
const caller = { id: 'mcp-client', secret: 'a-client-secret-for-loopback-tests-only' }
const api = { id: 'reports-api', secret: 'the-api-secret-for-introspection-only' }

let op: RunningProvider
let issuer: string
let apiKey: CryptoKey
let otherKey: CryptoKey
const introspections = () => op.paths.filter((path) => path.startsWith('/token/introspection')).length

beforeAll(async () => {
  apiKey = (await generateKeyPair('ES256', { extractable: true })).privateKey
  otherKey = (await generateKeyPair('ES256')).privateKey
  const { d: _d, ...apiPublic } = await exportJWK(apiKey)
  op = await startProvider({
    ttl: { ClientCredentials: () => 300 },
    clients: [
      clientCredentialsClient(caller),
      clientCredentialsClient(api, { grant_types: [] }),
      {
        client_id: 'reports-api-jwt',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [{ ...apiPublic, kid: 'api-key', use: 'sig' }] },
        grant_types: [],
        redirect_uris: [],
        response_types: [],
      },
    ],
    features: {
      introspection: { enabled: true },
      revocation: { enabled: true },
      ...clientCredentialsFeatures(audience, {
        scope: 'read:reports write:reports',
        accessTokenFormat: 'opaque',
      }),
    },
  })
  issuer = op.issuer
})

afterAll(() => op.close())

const accessToken = (scope = 'read:reports') => accessTokenOf(issuer, caller, { scope, resource: audience })

const makeAuth = (options: { secret?: string; onEvent?: (event: AuthEvent) => void } = {}) =>
  createAuth({
    issuer,
    audience,
    jwks: `${issuer}/jwks`,
    introspection: {
      endpoint: `${issuer}/token/introspection`,
      clientId: api.id,
      clientSecret: options.secret ?? api.secret,
    },
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  })

describe('introspection against oidc-provider', () => {
  it('accepts an opaque access token and builds the identity from the answer', async () => {
    const token = await accessToken()
    expect(token.split('.')).toHaveLength(1)
    const identity = await makeAuth().verify(token)
    expect(identity).toMatchObject({
      subject: caller.id,
      issuer,
      audience: [audience],
      scopes: ['read:reports'],
      keyId: undefined,
    })
    expect(identity.payload.client_id).toBe(caller.id)
    expect(identity.expiresAt?.getTime()).toBeGreaterThan(Date.now())
  })

  it('introspects a token once, then answers from the cache; merges concurrent lookups', async () => {
    const auth = makeAuth()
    const token = await accessToken()
    const before = introspections()
    await Promise.all([auth.verify(token), auth.verify(token), auth.verify(token)])
    expect(introspections() - before).toBe(1)
    await auth.verify(token)
    expect(introspections() - before).toBe(1)
  })

  it('rejects a revoked token with token_inactive (401) and a challenge', async () => {
    const auth = makeAuth()
    const token = await accessToken()
    await fetch(`${issuer}/token/revocation`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${btoa(`${caller.id}:${caller.secret}`)}`,
      },
      body: new URLSearchParams({ token }),
    })
    const result = await auth.authenticate({ authorization: `Bearer ${token}` })
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'token_inactive', status: 401 } })
    expect(result.status === 'rejected' && result.error.wwwAuthenticate).toContain('error="invalid_token"')
  })

  it('rejects a made-up token with token_inactive', async () => {
    await expect(makeAuth().verify('not-a-token-the-provider-issued')).rejects.toMatchObject({
      code: 'token_inactive',
      status: 401,
    })
  })

  it('is a 503 when the API cannot authenticate to the endpoint, and reports no secret', async () => {
    const events: AuthEvent[] = []
    const auth = makeAuth({ secret: 'a-wrong-secret', onEvent: (event) => events.push(event) })
    const token = await accessToken()
    const error = await auth.verify(token).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'introspection_unavailable', status: 503 })
    const shown = JSON.stringify([String(error), (error as Error).cause, events])
    expect(shown).not.toContain(token)
    expect(shown).not.toContain('a-wrong-secret')
  })

  it('checks the audience like a JWT claim', async () => {
    const auth = createAuth({
      issuer,
      audience: 'https://other.example.com',
      jwks: `${issuer}/jwks`,
      introspection: {
        endpoint: `${issuer}/token/introspection`,
        clientId: api.id,
        clientSecret: api.secret,
      },
    })
    await expect(auth.verify(await accessToken())).rejects.toMatchObject({
      code: 'claim_invalid',
      status: 401,
    })
  })

  it('authenticates with private_key_jwt (RFC 7523) instead of a secret', async () => {
    const withKey = (key: CryptoKey) =>
      createAuth({
        issuer,
        audience,
        jwks: `${issuer}/jwks`,
        introspection: {
          endpoint: `${issuer}/token/introspection`,
          clientId: 'reports-api-jwt',
          privateKeyJwt: { key, alg: 'ES256', kid: 'api-key' },
        },
      })
    const token = await accessToken()
    expect((await withKey(apiKey).verify(token)).subject).toBe(caller.id)
    // Every request signs a fresh assertion (a new jti): a second lookup is not refused as a replay.
    const auth = withKey(apiKey)
    await auth.verify(await accessToken())
    await auth.verify(await accessToken())
    await expect(withKey(otherKey).verify(token)).rejects.toMatchObject({
      code: 'introspection_unavailable',
      status: 503,
    })
  })
})
