import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AuthError, createAuth, resourceMetadataAnswer, resourceMetadataResponse } from '@portcullis/core'
import { describe, expect, it, onTestFinished } from 'vitest'

const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const secret = 'a-shared-secret-of-at-least-32-bytes!!'
const auth = createAuth({ issuer, audience, secret, resource: { resource: 'https://api.example.com/mcp' } })
const path = '/.well-known/oauth-protected-resource/mcp'

/** A Node server that routes the metadata to core and answers 401 with core's challenge otherwise. */
async function listen() {
  const server = createServer(async (req, res) => {
    const answer = resourceMetadataAnswer(auth, req.method, new URL(req.url ?? '/', 'http://x').pathname)
    if (answer) return void res.writeHead(answer.status, answer.headers).end(answer.body)
    const result = await auth.authenticate(req)
    if (result.status === 'authenticated') return void res.end('ok')
    const error = result.status === 'rejected' ? result.error : auth.challenge(missing())
    res.writeHead(error.status, { 'www-authenticate': error.wwwAuthenticate }).end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const missing = () => new AuthError('token_missing', 'authentication is required')

describe('resourceMetadataAnswer over HTTP', () => {
  it('serves the document as public JSON at the well-known path with the resource path suffix', async () => {
    const base = await listen()
    const response = await fetch(`${base}${path}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(await response.json()).toEqual({
      resource: 'https://api.example.com/mcp',
      authorization_servers: [issuer],
      bearer_methods_supported: ['header'],
    })
  })

  it('challenges a request without credentials with resource_metadata, as a client discovers it', async () => {
    const base = await listen()
    const response = await fetch(`${base}/mcp`)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="https://api.example.com${path}"`,
    )
  })

  it('leaves other paths and other methods to the application', async () => {
    const base = await listen()
    expect((await fetch(`${base}/.well-known/oauth-protected-resource`)).status).toBe(401)
    expect((await fetch(`${base}${path}`, { method: 'POST' })).status).toBe(401)
    expect(resourceMetadataAnswer(auth, 'DELETE', path)).toBeUndefined()
  })
})

describe('resourceMetadataResponse', () => {
  it('answers a fetch Request for the metadata, HEAD without a body', async () => {
    const get = resourceMetadataResponse(auth, new Request(`https://api.example.com${path}`))
    expect(get?.status).toBe(200)
    expect(await get?.json()).toMatchObject({ resource: 'https://api.example.com/mcp' })
    const head = resourceMetadataResponse(
      auth,
      new Request(`https://api.example.com${path}`, { method: 'HEAD' }),
    )
    expect(head?.status).toBe(200)
    expect(await head?.text()).toBe('')
  })

  it('is undefined for other requests, and for a verifier without the resource option', () => {
    expect(resourceMetadataResponse(auth, new Request('https://api.example.com/mcp'))).toBeUndefined()
    const plain = createAuth({ issuer, audience, secret })
    expect(
      resourceMetadataResponse(
        plain,
        new Request('https://api.example.com/.well-known/oauth-protected-resource'),
      ),
    ).toBeUndefined()
  })
})
