/**
 * DPoP end to end through `useAuth` on GraphQL Yoga, over a real server and `yoga.fetch`: core's
 * verdict, its challenge and the `DPoP-Nonce` header reach the client unchanged.
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth } from '@portcullis/core'
import { useAuth } from '@portcullis/yoga'
import { createYoga } from 'graphql-yoga'
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { dpopClient } from '../../core/test/support/dpop.js'
import { audience, issuer, makeSchema, secret, sign } from './fixtures.js'

let client: Awaited<ReturnType<typeof dpopClient>>
let token: string

beforeAll(async () => {
  client = await dpopClient(sign, 'POST')
  token = client.token
})

const proof = (htu: string, nonce?: string) => client.proof(htu, nonce)

const auth = createAuth({
  issuer,
  audience,
  secret,
  dpop: {
    required: true,
    algorithms: ['ES256'],
    nonce: { secret: 'a-dpop-nonce-secret-of-32-bytes-or-more' },
  },
})
const yoga = createYoga({ schema: makeSchema(), plugins: [useAuth({ auth })], logging: false })

async function serve(): Promise<string> {
  const server = createServer(yoga)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(
    () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`
}

const transports: Array<[string, () => Promise<{ url: string; send: typeof fetch }>]> = [
  ['a real server', async () => ({ url: await serve(), send: fetch })],
  ['yoga.fetch', async () => ({ url: 'http://localhost/graphql', send: yoga.fetch as typeof fetch })],
]

describe.each(transports)('DPoP through useAuth on %s', (_name, open) => {
  it('asks for a nonce with 401, WWW-Authenticate and DPoP-Nonce, then answers with it', async () => {
    const { url, send } = await open()
    const query = (dpop: string) =>
      send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `DPoP ${token}`, dpop },
        body: JSON.stringify({ query: '{ me { id } }' }),
      })
    const first = await query(await proof(url))
    expect(first.status).toBe(401)
    expect(first.headers.get('www-authenticate')).toBe(
      'DPoP algs="ES256", error="use_dpop_nonce", error_description="DPoP proof must carry the server nonce"',
    )
    const nonce = first.headers.get('dpop-nonce')
    expect(nonce).toMatch(/^[\w.-]{20,}$/)
    const second = await query(await proof(url, nonce!))
    expect(second.status).toBe(200)
    expect(await second.json()).toEqual({ data: { me: { id: 'alice' } } })
  })

  it('refuses a plain bearer token when DPoP is required (invalid_token, DPoP challenge only)', async () => {
    const { url, send } = await open()
    const response = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await sign()}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      'DPoP algs="ES256", error="invalid_token", error_description="this API accepts DPoP-bound tokens only"',
    )
  })
})
