import { describe, expect, it } from 'vitest'
import { parseResponses, type Response } from '../../src/http/responses.js'

/** Feeds `bytes` to a parser in pieces of `size` bytes; returns every answer it reported. */
function parse(bytes: string, size = bytes.length): Response[] {
  const seen: Response[] = []
  const feed = parseResponses((response) => seen.push(response))
  const all = Buffer.from(bytes, 'utf8')
  for (let at = 0; at < all.length; at += size) feed(all.subarray(at, at + size))
  return seen
}

const sized = (body: string, status = '200 OK') =>
  `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
const chunked = (...parts: string[]) =>
  `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${parts
    .map((part) => `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`)
    .join('')}0\r\n\r\n`

describe('parseResponses', () => {
  it('reads the status and a Content-Length body', () => {
    expect(parse(sized('{"me":"alice"}'))).toEqual([{ status: 200, body: '{"me":"alice"}' }])
    expect(parse(sized('{"error":"token_missing"}', '401 Unauthorized'))).toEqual([
      { status: 401, body: '{"error":"token_missing"}' },
    ])
  })

  it('joins a chunked body (what tRPC and Express stream)', () => {
    expect(parse(chunked('{"result":', '{"data":"alice"}}'))).toEqual([
      { status: 200, body: '{"result":{"data":"alice"}}' },
    ])
  })

  it('waits for an answer split across packets, down to a byte at a time, and counts UTF-8 by bytes', () => {
    const body = '{"me":"élise"}'
    for (const size of [1, 2, 7])
      expect(parse(sized(body) + chunked('{"me":', '"élise"}'), size)).toEqual([
        { status: 200, body },
        { status: 200, body },
      ])
  })

  it('reports two answers that arrive in one packet, in order', () => {
    expect(parse(sized('a') + sized('b', '403 Forbidden'))).toEqual([
      { status: 200, body: 'a' },
      { status: 403, body: 'b' },
    ])
  })

  it('answers status 0 for what it cannot parse, so the run counts it as failed', () => {
    expect(parse('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nno length')).toEqual([{ status: 0, body: '' }])
    expect(parse(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`)).toEqual([
      { status: 0, body: '' },
    ])
    expect(parse(`HTTP/1.1 200 OK\r\n${'x'.repeat(20_000)}`)).toEqual([{ status: 0, body: '' }])
  })
})
