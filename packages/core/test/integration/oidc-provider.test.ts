/**
 * A real OpenID Provider (panva's oidc-provider 8) on loopback issues RFC 9068 JWT access tokens by the
 * client credentials grant with resource indicators (RFC 8707), signed with four algorithms. Core finds
 * its keys by discovery alone.
 */
import { createAuth } from '@portcullis/core'
import type { AsymmetricSigningAlgorithm } from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  accessTokenOf,
  clientCredentialsClient,
  providerKey,
  type RunningProvider,
  startProvider,
} from '../support/oidc-provider.js'

const audience = 'https://api.example.com'
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const
const client = { id: 'reports-service', secret: 'a-client-secret-for-loopback-tests-only' }

let op: RunningProvider
let issuer: string

beforeAll(async () => {
  const keys = []
  for (const alg of ['RS256', 'ES256', 'EdDSA']) {
    // No `alg` on the JWK: the RSA key signs both RS256 and PS256.
    const { alg: _alg, ...jwk } = (await providerKey(`key-${alg}`, alg)).jwk
    keys.push(jwk)
  }
  op = await startProvider({
    jwks: { keys },
    clients: [clientCredentialsClient(client)],
    ttl: { ClientCredentials: () => 300 },
    features: {
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
  issuer = op.issuer
})

afterAll(() => op.close())

const accessToken = (alg: string) =>
  accessTokenOf(issuer, client, { resource: `https://rs.test/${alg}`, scope: 'read:reports' })

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
