/**
 * Review of issue 18: the DPoP request target of a Node request was the text `http://${Host}${path}`
 * parsed as a URL, so a `Host` header holding `/`, `?` or `#` moved the path: `Host: api.example.com#`
 * made every path read as `/`, `Host: api.example.com/admin` prefixed it. A proof made for one URL
 * (`/`, say, which a client calls often) then passed at any other, even with `publicUrl` set, which
 * promises that only the path comes from the request. Now a `Host` that is no host[:port] gives no
 * target (the proof is refused), and with `publicUrl` the path is the request's own.
 */
import { once } from 'node:events'
import { createServer, type IncomingMessage, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAuth } from '@portcullis/core'
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { requestTarget } from '../../src/dpop/target.js'
import { nodeServer, type ProofKey, proof, proofKey } from '../support/dpop.js'
import { audience, issuer, type SigningKey, sign, signingKey } from '../support/fixtures.js'

/** A real IncomingMessage for `path`, sent with the raw `Host` header given. */
async function incoming(path: string, host: string): Promise<IncomingMessage> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(
    () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  )
  const received = once(server, 'request') as Promise<[IncomingMessage, { end(): void }]>
  const { port } = server.address() as AddressInfo
  request({ host: '127.0.0.1', port, path, headers: { host } })
    .on('error', () => {})
    .end()
  const [req, res] = await received
  onTestFinished(() => res.end())
  return req
}

const none = { publicUrl: undefined, url: undefined }
const publicUrl = { publicUrl: 'https://api.example.com', url: undefined }

describe('a Host header cannot move the DPoP request target', () => {
  for (const host of [
    'api.example.com#',
    'api.example.com?',
    'api.example.com/admin',
    'evil@api.example.com',
    'api.example.com\\x',
  ])
    it(`gives no target for Host ${JSON.stringify(host)} without publicUrl`, async () => {
      expect(requestTarget(await incoming('/reports', host), none)).toBeUndefined()
    })

  it('keeps the request path with publicUrl, whatever the Host says', async () => {
    for (const host of ['api.example.com#', 'api.example.com/admin', 'x?'])
      expect(requestTarget(await incoming('/reports', host), publicUrl)).toEqual({
        method: 'GET',
        url: 'https://api.example.com/reports',
      })
  })

  it('keeps a path that starts with two slashes as the server sees it', async () => {
    expect(requestTarget(await incoming('//evil.example/reports', 'api.example.com'), publicUrl)).toEqual({
      method: 'GET',
      url: 'https://api.example.com//evil.example/reports',
    })
  })

  it('still reads ordinary hosts: names, ports, IPv4 and IPv6 literals', async () => {
    for (const host of ['api.example.com', 'API.example.com:8443', '127.0.0.1:3000', '[::1]:8080'])
      expect(requestTarget(await incoming('/reports', host), none)?.url).toMatch(/^http:\/\/[^/]+\/reports$/)
  })
})

describe('end to end: a proof for / does not pass at another path', () => {
  let issuerKey: SigningKey
  let client: ProofKey
  let bound: string
  beforeAll(async () => {
    issuerKey = await signingKey('ES256')
    client = await proofKey()
    bound = await sign(issuerKey, { cnf: { jkt: client.jkt } })
  })

  it('refuses it under Host "<host>#", with and without publicUrl', async () => {
    for (const dpop of [{}, { publicUrl: 'https://api.example.com' }]) {
      const auth = createAuth({ issuer, audience, keys: [issuerKey.publicJwk], dpop })
      const server = await nodeServer(auth)
      const host = new URL(server.url).host
      const origin = 'publicUrl' in dpop ? 'https://api.example.com' : server.url
      const forRoot = await proof(client, { htm: 'GET', htu: `${origin}/`, token: bound })
      const seen = await server.send('GET', '/admin/delete-everything', {
        host: `${host}#`,
        authorization: `DPoP ${bound}`,
        dpop: forRoot,
      })
      expect(seen).toMatchObject({ status: 401, code: 'dpop_proof_invalid' })
    }
  })
})
