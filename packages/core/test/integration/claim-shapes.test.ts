/**
 * A real OpenID Provider (panva's oidc-provider 8) on loopback issues RFC 9068 JWT access tokens by
 * the client credentials grant, with Auth0-style `permissions` and an `azp` added by
 * `extraTokenClaims` (one client gets no `azp`: its token names it by `client_id` alone). Core reads
 * scopes from `permissions`, checks authorized parties, and refuses a token put on a deny list.
 */
import { createAuth, denyList, memoryStore } from '@portcullis/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { grantsViaBoth } from '../support/grants.js'
import {
  accessTokenOf,
  clientCredentialsClient,
  clientCredentialsFeatures,
  type RunningProvider,
  startProvider,
} from '../support/oidc-provider.js'

const audience = 'https://api.example.com'
const clients = ['client-a', 'client-b', 'client-c'].map((id) => ({
  id,
  secret: `a-client-secret-of-${id}-for-loopback-tests`,
}))
const PERMISSIONS: Record<string, string[]> = {
  'client-a': ['read:reports', 'write:reports'],
  'client-b': ['read:reports'],
  'client-c': ['read:reports'],
}

let op: RunningProvider
let issuer: string

beforeAll(async () => {
  op = await startProvider({
    clients: clients.map((client) => clientCredentialsClient(client)),
    ttl: { ClientCredentials: () => 300 },
    extraTokenClaims: (_ctx, token) => {
      const clientId = (token as { clientId?: string }).clientId ?? ''
      return {
        permissions: PERMISSIONS[clientId] ?? [],
        ...(clientId === 'client-c' ? {} : { azp: clientId }),
      }
    },
    features: clientCredentialsFeatures(audience, {
      scope: 'read:reports write:reports',
      accessTokenFormat: 'jwt',
    }),
  })
  op.provider.on('server_error', (_ctx, error) => console.error(error))
  issuer = op.issuer
})

afterAll(() => op.close())

const accessToken = (clientId: string, scope = 'read:reports') =>
  accessTokenOf(issuer, clients.find((candidate) => candidate.id === clientId)!, {
    resource: audience,
    scope,
  })

describe('claim shapes of oidc-provider access tokens', () => {
  it('reads scopes from permissions beside scope when configured', async () => {
    const auth = createAuth({
      issuer,
      audience,
      tokenType: 'at+jwt',
      scopes: { claims: ['scope', 'permissions'] },
    })
    const { node, fetch } = await grantsViaBoth(auth, await accessToken('client-a'))
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({
        status: 'authenticated',
        subject: 'client-a',
        scopes: ['read:reports', 'write:reports'],
      })
    const plain = createAuth({ issuer, audience, tokenType: 'at+jwt' })
    expect((await plain.verify(await accessToken('client-a'))).scopes).toEqual(['read:reports'])
  })

  it("accepts the authorized parties' tokens, by azp or by client_id, and refuses another client's", async () => {
    const auth = createAuth({ issuer, audience, authorizedParties: ['client-a', 'client-c'] })
    const a = await grantsViaBoth(auth, await accessToken('client-a'))
    for (const outcome of [a.node, a.fetch]) expect(outcome).toMatchObject({ status: 'authenticated' })
    // client-c's token has no azp: its RFC 9068 client_id names it.
    const c = await accessToken('client-c')
    expect(JSON.parse(atob(c.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')))).not.toHaveProperty('azp')
    await expect(auth.verify(c)).resolves.toMatchObject({ subject: 'client-c' })
    const b = await grantsViaBoth(auth, await accessToken('client-b'))
    for (const outcome of [b.node, b.fetch])
      expect(outcome).toEqual({ status: 'rejected', code: 'azp_invalid', httpStatus: 401 })
  })

  it('refuses a verified, cached token once its jti is on the deny list', async () => {
    const deny = denyList({ store: memoryStore() })
    const auth = createAuth({ issuer, audience, revoked: deny.revoked })
    const token = await accessToken('client-b')
    const identity = await auth.verify(token)
    expect(typeof identity.payload.jti).toBe('string')
    await deny.revoke({ jti: identity.payload.jti, until: identity.expiresAt! })
    const { node, fetch } = await grantsViaBoth(auth, token)
    for (const outcome of [node, fetch])
      expect(outcome).toEqual({ status: 'rejected', code: 'revoked', httpStatus: 401 })
    await expect(auth.verify(await accessToken('client-b'))).resolves.toMatchObject({ subject: 'client-b' })
  })
})
