/**
 * A real OpenID Provider (panva's oidc-provider 8, `features.dPoP`) issues DPoP-bound JWT access
 * tokens by the client credentials grant; core accepts them only with the client's proofs.
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth } from '@portcullis/core'
import { exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeServer, type ProofKey, proof, proofKey } from '../support/dpop.js'

const audience = 'https://api.example.com'
const caller = { id: 'dpop-client', secret: 'a-client-secret-for-loopback-tests-only' }
let issuer: string
let client: ProofKey
const server = createServer()

beforeAll(async () => {
  client = await proofKey()
  const signing = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    cookies: { keys: ['a-cookie-signing-key-for-tests'] },
    jwks: { keys: [{ ...signing, kid: 'as-key', use: 'sig', alg: 'ES256' }] },
    clients: [
      {
        client_id: caller.id,
        client_secret: caller.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        dpop_bound_access_tokens: true,
        id_token_signed_response_alg: 'ES256',
      },
    ],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        getResourceServerInfo: () => ({
          scope: 'read:reports',
          audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 300,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
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

/** A DPoP-bound access token: the token request carries a proof for the token endpoint. */
async function dpopToken(): Promise<string> {
  const tokenUrl = `${issuer}/token`
  const tokenProof = await proof(client, {
    htm: 'POST',
    htu: tokenUrl,
    token: '',
    claims: { ath: undefined },
  })
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${btoa(`${caller.id}:${caller.secret}`)}`,
      dpop: tokenProof,
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'read:reports',
      resource: audience,
    }),
  })
  const body = (await response.json()) as { access_token?: string; token_type?: string }
  expect(response.status).toBe(200)
  expect(body.token_type).toBe('DPoP')
  return body.access_token!
}

describe('DPoP-bound tokens from oidc-provider', () => {
  it('are accepted with the client key proofs and refused without them, or as Bearer', async () => {
    const auth = createAuth({ issuer, audience, jwks: `${issuer}/jwks`, tokenType: 'at+jwt', dpop: {} })
    const api = await nodeServer(auth)
    const token = await dpopToken()
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      cnf?: { jkt?: string }
    }
    expect(payload.cnf?.jkt).toBe(client.jkt)
    const htu = `${api.url}/reports`
    const ok = await api.send('GET', '/reports', {
      authorization: `DPoP ${token}`,
      dpop: await proof(client, { htm: 'GET', htu, token }),
    })
    expect(ok).toEqual({ status: 200, subject: caller.id })
    expect(await api.send('GET', '/reports', { authorization: `DPoP ${token}` })).toMatchObject({
      status: 401,
      code: 'dpop_proof_missing',
    })
    expect(
      await api.send('GET', '/reports', {
        authorization: `Bearer ${token}`,
        dpop: await proof(client, { htm: 'GET', htu, token }),
      }),
    ).toMatchObject({ status: 401, code: 'dpop_binding_invalid' })
    const thief = await proofKey()
    expect(
      await api.send('GET', '/reports', {
        authorization: `DPoP ${token}`,
        dpop: await proof(thief, { htm: 'GET', htu, token }),
      }),
    ).toMatchObject({ status: 401, code: 'dpop_binding_invalid' })
  })
})
