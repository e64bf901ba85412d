/**
 * A real OpenID Provider (panva's oidc-provider 8, `features.dPoP`) issues DPoP-bound JWT access
 * tokens by the client credentials grant; core accepts them only with the client's proofs.
 */
import { createAuth } from '@portcullis/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { nodeServer, type ProofKey, proof, proofKey } from '../support/dpop.js'
import {
  clientCredentialsClient,
  clientCredentialsFeatures,
  providerKey,
  type RunningProvider,
  requestToken,
  startProvider,
} from '../support/oidc-provider.js'

const audience = 'https://api.example.com'
const caller = { id: 'dpop-client', secret: 'a-client-secret-for-loopback-tests-only' }
let op: RunningProvider
let issuer: string
let client: ProofKey

beforeAll(async () => {
  client = await proofKey()
  const signing = await providerKey('as-key')
  op = await startProvider({
    jwks: { keys: [signing.jwk] },
    clients: [
      clientCredentialsClient(caller, {
        dpop_bound_access_tokens: true,
        id_token_signed_response_alg: 'ES256',
      }),
    ],
    features: {
      dPoP: { enabled: true },
      ...clientCredentialsFeatures(audience, {
        scope: 'read:reports',
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  })
  issuer = op.issuer
})

afterAll(() => op.close())

/** A DPoP-bound access token: the token request carries a proof for the token endpoint. */
async function dpopToken(): Promise<string> {
  const tokenProof = await proof(client, {
    htm: 'POST',
    htu: `${issuer}/token`,
    token: '',
    claims: { ath: undefined },
  })
  const { status, body } = await requestToken(
    issuer,
    caller,
    { scope: 'read:reports', resource: audience },
    { dpop: tokenProof },
  )
  expect(status).toBe(200)
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
