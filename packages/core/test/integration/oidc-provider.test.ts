/**
 * A real OpenID Provider (panva's oidc-provider 8) on loopback issues RFC 9068 JWT access tokens by the
 * client credentials grant with resource indicators (RFC 8707), signed with four algorithms. Core finds
 * its keys by discovery alone.
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth } from '@portcullis/core'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { type AsymmetricSigningAlgorithm } from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const audience = 'https://api.example.com'
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const
const client = { id: 'reports-service', secret: 'a-client-secret-for-loopback-tests-only' }

let issuer: string
const server = createServer()

beforeAll(async () => {
  const keys = []
  for (const alg of ['RS256', 'ES256', 'EdDSA']) {
    const { privateKey } = await generateKeyPair(alg, {
      extractable: true,
      crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
    })
    keys.push({ ...(await exportJWK(privateKey)), kid: `key-${alg}`, use: 'sig' })
  }
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    jwks: { keys },
    cookies: { keys: ['a-cookie-signing-key-for-tests'] },
    clients: [
      {
        client_id: client.id,
        client_secret: client.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
    ],
    ttl: { ClientCredentials: () => 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // The client must name its resource; there is no default.
        defaultResource: () => [],
        // One resource per algorithm, all with the same audience: https://rs.test/<alg>
        getResourceServerInfo: (_ctx, resource) => ({
          scope: 'read:reports write:reports',
          audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 300,
          jwt: { sign: { alg: new URL(resource).pathname.slice(1) as AsymmetricSigningAlgorithm } },
        }),
      },
    },
    enabledJWA: { idTokenSigningAlgValues: [...ALGORITHMS] },
  })
  server.on('request', provider.callback())
})

afterAll(
  () =>
    new Promise<void>((done) => {
      server.closeAllConnections()
      server.close(() => done())
    }),
)

async function accessToken(alg: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      resource: `https://rs.test/${alg}`,
      scope: 'read:reports',
    }),
  })
  const body = (await response.json()) as { access_token?: string; error?: string }
  if (!body.access_token) throw new Error(`token request failed: ${body.error}`)
  return body.access_token
}

const tamper = (token: string) => {
  const [header, payload, signature] = token.split('.') as [string, string, string]
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  const forged = Buffer.from(JSON.stringify({ ...claims, scope: 'admin' })).toString('base64url')
  return `${header}.${forged}.${signature}`
}

describe('oidc-provider access tokens', () => {
  it.each(ALGORITHMS)(
    'accepts an %s access token found by discovery, and rejects a tampered copy',
    async (alg) => {
      const auth = createAuth({ issuer, audience, tokenType: 'at+jwt' })
      const token = await accessToken(alg)
      const identity = await auth.verify(token)
      expect(identity).toMatchObject({
        subject: client.id,
        issuer,
        audience: [audience],
        scopes: ['read:reports'],
      })
      await expect(auth.verify(tamper(token))).rejects.toMatchObject({
        code: 'signature_invalid',
        status: 401,
      })
      const flipped = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`
      await expect(auth.verify(flipped)).rejects.toMatchObject({ status: 401 })
    },
  )

  it('verifies all four algorithms with one verifier and one JWKS fetch', async () => {
    const fetched: string[] = []
    const auth = createAuth({
      issuer,
      audience,
      tokenType: 'at+jwt',
      onEvent: (event) => {
        if (event.type === 'jwks_fetched') fetched.push(event.url)
      },
    })
    for (const alg of ALGORITHMS) expect((await auth.verify(await accessToken(alg))).keyId).toMatch(/^key-/)
    expect(fetched).toEqual([`${issuer}/jwks`])
  })

  it('rejects its tokens for another audience or without the at+jwt type check passing', async () => {
    const token = await accessToken('ES256')
    await expect(
      createAuth({ issuer, audience: 'https://other.example', tokenType: 'at+jwt' }).verify(token),
    ).rejects.toMatchObject({ code: 'claim_invalid', status: 401 })
    await expect(createAuth({ issuer, audience, tokenType: 'JWT' }).verify(token)).rejects.toMatchObject({
      code: 'token_type_invalid',
      status: 401,
    })
  })
})
