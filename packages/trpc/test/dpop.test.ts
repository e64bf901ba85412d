/**
 * DPoP end to end through the tRPC adapters: core's verdict reaches the client unchanged, with its
 * `WWW-Authenticate` challenge and the `DPoP-Nonce` header.
 */
import { createAuth } from '@portcullis/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { dpopClient } from '../../core/test/support/dpop.js'
import { audience, claims, issuer, secret, sign } from './support/fixtures.js'
import { createApp } from './support/router.js'
import { type Served, serveFetch, serveNode } from './support/servers.js'

let client: Awaited<ReturnType<typeof dpopClient>>
let token: string

beforeAll(async () => {
  client = await dpopClient(sign, 'GET')
  token = client.token
})

const proof = (htu: string, nonce?: string) => client.proof(htu, nonce)

const makeAuth = () =>
  createAuth({
    issuer,
    audience,
    secret,
    claims,
    realm: 'api',
    dpop: { algorithms: ['ES256'], nonce: { secret: 'a-dpop-nonce-secret-of-32-bytes-or-more' } },
  })

const adapters: Array<[string, (app: Served) => Promise<string>]> = [
  ['fetch', serveFetch],
  ['standalone', serveNode],
]

describe.each(adapters)('DPoP through the %s adapter', (_name, serve) => {
  it('answers use_dpop_nonce with DPoP-Nonce, then the procedure runs with the nonce in the proof', async () => {
    const url = await serve(createApp(makeAuth() as never))
    const htu = `${url}/trpc/me`
    const first = await fetch(htu, { headers: { authorization: `DPoP ${token}`, dpop: await proof(htu) } })
    expect(first.status).toBe(401)
    expect(first.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", DPoP algs="ES256", realm="api", error="use_dpop_nonce", error_description="DPoP proof must carry the server nonce"',
    )
    const nonce = first.headers.get('dpop-nonce')
    expect(nonce).toMatch(/^[\w.-]{20,}$/)
    const second = await fetch(htu, {
      headers: { authorization: `DPoP ${token}`, dpop: await proof(htu, nonce!) },
    })
    expect(second.status).toBe(200)
    expect(second.headers.get('dpop-nonce')).toBeNull()
    expect(((await second.json()) as { result: { data: { subject: string } } }).result.data.subject).toBe(
      'alice',
    )
  })

  it('rejects the bound token as Bearer with invalid_token on the Bearer challenge', async () => {
    const url = await serve(createApp(makeAuth() as never))
    const response = await fetch(`${url}/trpc/me`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="api", error="invalid_token", error_description="[^"]+", DPoP algs="ES256", realm="api"$/,
    )
    expect(response.headers.get('dpop-nonce')).toBeNull()
  })
})
