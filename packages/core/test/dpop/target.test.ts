import { once } from 'node:events'
import { createServer, type IncomingMessage, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { normalizeHtu, requestTarget } from '../../src/dpop/target.js'

const none = { publicUrl: undefined, url: undefined }

/** A real IncomingMessage, as a Node server receives it, with the headers given. */
async function incoming(path: string, headers: Record<string, string>): Promise<IncomingMessage> {
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
  request({ host: '127.0.0.1', port, path, headers })
    .on('error', () => {})
    .end()
  const [req, res] = await received
  onTestFinished(() => res.end())
  return req
}

describe('normalizeHtu (RFC 9449 4.3)', () => {
  it('drops query and fragment, lowercases scheme and host, and removes the default port', () => {
    expect(normalizeHtu('HTTPS://API.Example.COM:443/Reports?x=1#top')).toBe(
      'https://api.example.com/Reports',
    )
    expect(normalizeHtu('http://api.example.com:80')).toBe('http://api.example.com/')
    expect(normalizeHtu('https://api.example.com:8443/a')).toBe('https://api.example.com:8443/a')
  })

  it('normalises dot segments and percent-encoding, keeping the path case', () => {
    expect(normalizeHtu('https://api.example.com/a/./b/../c')).toBe('https://api.example.com/a/c')
    expect(normalizeHtu('https://api.example.com/%7euser/%2f')).toBe('https://api.example.com/~user/%2F')
  })

  it('refuses what is no absolute http(s) URL', () => {
    expect(normalizeHtu('/relative')).toBeUndefined()
    expect(normalizeHtu('ftp://api.example.com/x')).toBeUndefined()
  })
})

describe('requestTarget', () => {
  it('reads a Fetch Request from its URL', () => {
    const target = requestTarget(new Request('https://API.example.com/x?y=1', { method: 'PATCH' }), none)
    expect(target).toEqual({ method: 'PATCH', url: 'https://api.example.com/x' })
  })

  it('reads a Node request from its Host header and path, never from X-Forwarded-*', async () => {
    const req = await incoming('/reports?page=2', {
      host: 'api.internal:8080',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
    })
    expect(requestTarget(req, none)).toEqual({ method: 'GET', url: 'http://api.internal:8080/reports' })
  })

  it('takes only the path from the request when publicUrl is given (Host and absolute form ignored)', async () => {
    const req = await incoming('/reports', { host: 'evil.example' })
    const options = { publicUrl: 'https://api.example.com/v1', url: undefined }
    expect(requestTarget(req, options)).toEqual({ method: 'GET', url: 'https://api.example.com/v1/reports' })
    const absolute = { method: 'GET', url: 'http://evil.example/reports', headers: { host: 'evil.example' } }
    expect(requestTarget(absolute, options)).toEqual({
      method: 'GET',
      url: 'https://api.example.com/v1/reports',
    })
  })

  it("uses Express's originalUrl, which a mounted router does not rewrite", () => {
    const express = { method: 'GET', url: '/reports', originalUrl: '/api/reports', headers: { host: 'h' } }
    expect(requestTarget(express, none)?.url).toBe('http://h/api/reports')
  })

  it('reads the request wrapped by Fastify or Hono (raw) and Koa (req)', () => {
    const raw = new Request('https://api.example.com/x')
    expect(requestTarget({ raw }, none)?.url).toBe('https://api.example.com/x')
    expect(
      requestTarget({ req: { method: 'GET', url: '/x', headers: { host: 'k' } } } as never, none)?.url,
    ).toBe('http://k/x')
  })

  it('asks url(request) when given', () => {
    const url = () => 'https://public.example.com/x?q'
    expect(requestTarget(new Request('http://internal/x'), { publicUrl: undefined, url })?.url).toBe(
      'https://public.example.com/x',
    )
  })

  it('gives nothing for a header record, even one with "method" and "url" members', () => {
    expect(requestTarget({ authorization: 'DPoP x' }, none)).toBeUndefined()
    expect(requestTarget({ method: 'GET', url: 'https://evil.example/x' }, none)).toBeUndefined()
  })
})
