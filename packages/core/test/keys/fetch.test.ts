import { describe, expect, it } from 'vitest'
import { checkHeaders, FetchError, fetchJson, isSecureUrl, reasonOf } from '../../src/keys/fetch.js'
import { serve } from '../support/fixtures.js'

describe('fetchJson', () => {
  it('reads a JSON document within the size limit, and refuses a larger one', async () => {
    const server = await serve((_request, response) => response.end(JSON.stringify({ keys: [] })))
    expect(await fetchJson(`${server.url}/jwks`, { timeout: 2, maxBytes: 100 })).toEqual({ keys: [] })
    await expect(fetchJson(`${server.url}/jwks`, { timeout: 2, maxBytes: 5 })).rejects.toEqual(
      new FetchError('response is larger than 5 bytes'),
    )
  })

  it('follows a relative same-origin redirect, and refuses a protocol-relative one to another host', async () => {
    const server = await serve((request, response) => {
      if (request.url === '/a') return response.writeHead(302, { location: '/b' }).end()
      if (request.url === '/b') return response.end('"b"')
      response.writeHead(302, { location: '//evil.example/keys' }).end()
    })
    expect(await fetchJson(`${server.url}/a`, { timeout: 2, maxBytes: 100 })).toBe('b')
    await expect(fetchJson(`${server.url}/c`, { timeout: 2, maxBytes: 100 })).rejects.toEqual(
      new FetchError('redirected to another origin'),
    )
  })
})

describe('reasonOf', () => {
  it('passes on our own words, a timeout and a system error code, and nothing else', () => {
    expect(reasonOf(new FetchError('HTTP 502'))).toBe('HTTP 502')
    expect(reasonOf(new DOMException('signal timed out', 'TimeoutError'))).toBe('timed out')
    expect(reasonOf(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }))).toBe(
      'request failed (ECONNREFUSED)',
    )
    expect(reasonOf(new TypeError('x-api-key: hunter2 is invalid'))).toBe('request failed')
    expect(reasonOf(new TypeError('fetch failed', { cause: { code: 'hunter2 lowercase' } }))).toBe(
      'request failed',
    )
  })
})

describe('checkHeaders and isSecureUrl', () => {
  it('accepts no headers, and refuses what is not an object of strings', () => {
    expect(checkHeaders(undefined, 'h')).toBeUndefined()
    expect(checkHeaders({ 'x-a': 'b' }, 'h')).toEqual({ 'x-a': 'b' })
    expect(() => checkHeaders([['x', 'y']], 'h')).toThrow(
      new TypeError('"h" must be an object of header names to string values'),
    )
  })

  it('allows plain http only on loopback', () => {
    expect(isSecureUrl(new URL('https://id.example.com/'))).toBe(true)
    expect(isSecureUrl(new URL('http://[::1]:8080/'))).toBe(true)
    expect(isSecureUrl(new URL('http://id.example.com/'))).toBe(false)
  })
})
