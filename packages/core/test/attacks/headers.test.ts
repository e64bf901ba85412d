import { once } from 'node:events'
import { connect } from 'node:net'
import { type AuthResult, createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, claims, forge, issuer, secret, serve } from '../support/fixtures.js'

const auth = createAuth({ issuer, audience, secret })
const token = forge({ alg: 'HS256' }, claims())
const other = forge({ alg: 'HS256' }, claims(Date.now(), { sub: 'mallory' }))

/** Sends raw HTTP header lines to a real Node server and returns what authenticate() made of them. */
async function authenticateRaw(lines: string[]): Promise<AuthResult> {
  const server = await serve(async (request, response) => {
    const result = await auth.authenticate(request)
    response.end(
      JSON.stringify(
        result.status === 'rejected' ? { status: result.status, code: result.error.code } : result,
      ),
    )
  })
  const { port } = new URL(server.url)
  const socket = connect(Number(port), '127.0.0.1')
  await once(socket, 'connect')
  // write, not end: a half-closed socket may be dropped before the async handler answers
  socket.write(['GET / HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', ...lines, '', ''].join('\r\n'))
  let raw = ''
  for await (const chunk of socket) raw += chunk
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))
}

describe('hostile Authorization headers', () => {
  it('rejects two Authorization headers on a Node request as token_ambiguous', async () => {
    expect(
      await authenticateRaw([`Authorization: Bearer ${token}`, `Authorization: Bearer ${other}`]),
    ).toEqual({
      status: 'rejected',
      code: 'token_ambiguous',
    })
    expect(await authenticateRaw([`Authorization: Bearer ${token}`])).toMatchObject({
      status: 'authenticated',
    })
  })

  it('rejects two Authorization values joined by Fetch Headers as token_ambiguous', async () => {
    const headers = new Headers([
      ['authorization', `Bearer ${token}`],
      ['authorization', `Bearer ${other}`],
    ])
    expect(await auth.authenticate(new Request('http://x', { headers }))).toMatchObject({
      status: 'rejected',
      error: { code: 'token_ambiguous', status: 400 },
    })
    expect(await auth.authenticate({ authorization: [`Bearer ${token}`, `Bearer ${token}`] })).toMatchObject({
      status: 'rejected',
      error: { code: 'token_ambiguous' },
    })
  })

  it.each(['Basic YWxpY2U6c2VjcmV0', 'Digest username="alice"', 'Negotiate abc', ''])(
    'reads the %j scheme as no token (anonymous)',
    async (value) => {
      expect(await auth.authenticate({ authorization: value })).toEqual({ status: 'anonymous' })
    },
  )

  it.each(['Bearer', 'Bearer ', 'Bearer a b', 'Bearer\ttoken', 'Bearer <script>', `Bearer ${token}\u0000`])(
    'rejects the malformed bearer %j as token_malformed',
    async (value) => {
      expect(await auth.authenticate({ authorization: value })).toMatchObject({
        status: 'rejected',
        error: { code: 'token_malformed', status: 400 },
      })
    },
  )

  it('accepts the scheme in any case and trailing spaces', async () => {
    expect(await auth.authenticate({ authorization: `bEaReR ${token}  ` })).toMatchObject({
      status: 'authenticated',
    })
  })
})

describe('hostile Cookie headers', () => {
  it('rejects two different values for the session cookie as token_ambiguous', async () => {
    for (const request of [
      { cookie: `__session=${token}; __session=${other}` },
      { cookie: [`__session=${token}`, `__session=${other}`] },
      new Request('http://x', { headers: { cookie: `a=1; __session=${token}; b=2; __session=${other}` } }),
    ]) {
      expect(await auth.authenticate(request)).toMatchObject({
        status: 'rejected',
        error: { code: 'token_ambiguous', status: 400 },
      })
    }
    expect(await authenticateRaw([`Cookie: __session=${token}`, `Cookie: __session=${other}`])).toEqual({
      status: 'rejected',
      code: 'token_ambiguous',
    })
  })

  it('accepts the same value sent twice, and a quoted value', async () => {
    expect(await auth.authenticate({ cookie: `__session=${token}; __session=${token}` })).toMatchObject({
      status: 'authenticated',
    })
    expect(await auth.authenticate({ cookie: `__session="${token}"` })).toMatchObject({
      status: 'authenticated',
    })
  })

  it('ignores look-alike cookie names and empty values', async () => {
    expect(
      await auth.authenticate({ cookie: `__session_old=${other}; x__session=${other}; __session=` }),
    ).toEqual({
      status: 'anonymous',
    })
  })

  it('rejects a garbage session cookie rather than falling through to the bearer token', async () => {
    expect(
      await auth.authenticate({ cookie: '__session=garbage', authorization: `Bearer ${token}` }),
    ).toMatchObject({
      status: 'rejected',
      error: { code: 'token_malformed' },
    })
  })
})
