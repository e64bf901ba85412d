import { headerReader } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

describe('headerReader', () => {
  it('reads Fetch Requests and Headers', () => {
    expect(headerReader(new Request('http://x', { headers: { Cookie: 'a=1' } })).all('cookie')).toEqual([
      'a=1',
    ])
    expect(headerReader(new Headers({ authorization: 'Bearer t' })).all('authorization')).toEqual([
      'Bearer t',
    ])
  })

  it('reads Node rawHeaders line by line, so repeated headers stay apart', () => {
    const request = {
      headers: { authorization: 'Bearer a' },
      rawHeaders: ['Authorization', 'Bearer a', 'Host', 'x', 'authorization', 'Bearer b'],
    }
    expect(headerReader(request).all('authorization')).toEqual(['Bearer a', 'Bearer b'])
  })

  it("leaves a Node request's merged headers unbuilt: its raw lines are all it reads", async () => {
    const { IncomingMessage } = await import('node:http')
    const { Socket } = await import('node:net')
    const request = new IncomingMessage(new Socket())
    request.rawHeaders = ['Authorization', 'Bearer a', 'authorization', 'Bearer b']
    let built = 0
    // Node builds `headers` from rawHeaders on first read; counting reads shows core never asks.
    Object.defineProperty(request, 'headers', {
      get: () => {
        built++
        return {}
      },
    })
    expect(headerReader(request).all('authorization')).toEqual(['Bearer a', 'Bearer b'])
    expect(built).toBe(0)
  })

  it('reads plain records case-insensitively, arrays included', () => {
    expect(headerReader({ Cookie: ['a=1', 'b=2'], cookie: 'c=3' }).all('cookie')).toEqual([
      'a=1',
      'b=2',
      'c=3',
    ])
    expect(headerReader({ headers: { authorization: 'Bearer t' } }).all('authorization')).toEqual([
      'Bearer t',
    ])
  })

  it('reads the request a framework wraps: .raw (Fastify, Hono), .req (Koa)', () => {
    const node = {
      headers: { authorization: 'Bearer a' },
      rawHeaders: ['Authorization', 'Bearer a', 'authorization', 'Bearer b'],
    }
    // The wrapper's own merged `headers` would hide the second line.
    expect(headerReader({ raw: node, headers: node.headers }).all('authorization')).toEqual([
      'Bearer a',
      'Bearer b',
    ])
    expect(headerReader({ req: node, get: () => 'Bearer a', has: () => false }).all('authorization')).toEqual(
      ['Bearer a', 'Bearer b'],
    )
    expect(
      headerReader({ raw: new Request('http://x', { headers: { cookie: 'a=1' } }) }).all('cookie'),
    ).toEqual(['a=1'])
  })

  it('reads a record holding JSON junk (client data) as a record, junk as no header', () => {
    const reader = headerReader({ authorization: { token: 'x' } as never, cookie: 7 as never, 'x-a': 'b' })
    expect(reader.all('authorization')).toEqual([])
    expect(reader.all('x-a')).toEqual(['b'])
  })

  it('refuses anything else with a TypeError naming what it got, never a value', () => {
    for (const [value, named] of [
      [null, 'got null'],
      [undefined, 'got undefined'],
      [42, 'got number'],
      ['Bearer t', 'got string'],
      [{ request: new Request('http://x') }, 'got an object with keys request'],
      [{ authorization: () => 'Bearer t' }, 'got an object with keys authorization'],
      [new (class Context {})(), 'got an instance of Context'],
    ] as const)
      expect(() => headerReader(value as never)).toThrow(
        expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(named) }),
      )
  })
})
