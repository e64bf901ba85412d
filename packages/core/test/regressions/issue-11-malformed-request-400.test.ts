import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { viaBoth, viaNode } from '../support/both.js'
import { audience, claims, forge, issuer, secret } from '../support/fixtures.js'

// Issue 11, RFC 6750 3.1: a malformed request (an Authorization header that is not
// `Bearer <token>`) and a request carrying a token by more than one method are `invalid_request`
// with HTTP 400, keeping their codes; a malformed token stays `invalid_token` 401. Every one of
// these was a 401 before, so a client could not tell "your request is broken" from "sign in again".
const auth = createAuth({ issuer, audience, secret })
const alice = forge({ alg: 'HS256' }, claims())
const mallory = forge({ alg: 'HS256' }, claims(Date.now(), { sub: 'mallory' }))
const invalidRequest = (code: string) => ({
  status: 'rejected',
  code,
  httpStatus: 400,
  challenge: expect.stringMatching(/^Bearer error="invalid_request", error_description="/),
})

describe('issue 11: a malformed request is 400 invalid_request', () => {
  it.each([
    ['Bearer a b', `Bearer ${alice} x`],
    ['a bare Bearer', 'Bearer'],
    ['Bearer and another scheme', `Bearer ${alice}, Basic YWxpY2U6c2VjcmV0`],
    ['another scheme, then Bearer', `Basic YWxpY2U6c2VjcmV0, Bearer ${alice}`],
  ])('answers %s as token_malformed 400', async (_name, value) => {
    const { node, fetch } = await viaBoth(auth, [['authorization', value]])
    expect(node).toMatchObject(invalidRequest('token_malformed'))
    expect(fetch).toMatchObject(invalidRequest('token_malformed'))
  })

  it.each([
    [
      'two Authorization headers',
      [
        ['authorization', `Bearer ${alice}`],
        ['authorization', `Bearer ${mallory}`],
      ],
    ],
    [
      'two cookies of one name',
      [
        ['cookie', `__session=${alice}`],
        ['cookie', `__session=${mallory}`],
      ],
    ],
    [
      'a cookie and a header that disagree',
      [
        ['cookie', `__session=${alice}`],
        ['authorization', `Bearer ${mallory}`],
      ],
    ],
  ] as Array<[string, Array<[string, string]>]>)(
    'answers %s as token_ambiguous 400',
    async (_name, headers) => {
      const { node, fetch } = await viaBoth(auth, headers)
      expect(node).toMatchObject(invalidRequest('token_ambiguous'))
      expect(fetch).toMatchObject(invalidRequest('token_ambiguous'))
    },
  )

  it('keeps a malformed token at 401 invalid_token', async () => {
    const { node, fetch } = await viaBoth(auth, [['authorization', 'Bearer not.a.token']])
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({
        status: 'rejected',
        code: 'token_malformed',
        httpStatus: 401,
        challenge: expect.stringContaining('error="invalid_token"'),
      })
  })

  it('still reads another scheme alone as no token', async () => {
    expect(await viaNode(auth, [['authorization', 'Basic YWxpY2U6c2VjcmV0']])).toEqual({
      status: 'anonymous',
    })
  })
})
