import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { viaBoth } from '../support/both.js'
import { audience, forge, issuer, secret } from '../support/fixtures.js'

// Issue 11: JSON.parse keeps the last of two members with one name, while a gateway or a log
// pipeline may keep the first: {"sub":"a","sub":"b"} was alice to one and bob to the other. A
// byte-order mark was dropped silently. Both are token_malformed (401: the token is malformed).
const seconds = Math.floor(Date.now() / 1000)
const standard = `"iss":"${issuer}","aud":"${audience}","iat":${seconds},"exp":${seconds + 300}`
const header = '{"alg":"HS256"}'

describe('issue 11: duplicate member names and byte-order marks are token_malformed', () => {
  const auth = createAuth({ issuer, audience, secret })

  it.each([
    ['two "sub" in the payload', header, `{${standard},"sub":"alice","sub":"bob"}`],
    ['an escaped second "sub"', header, `{${standard},"sub":"alice","s\\u0075b":"bob"}`],
    ['two "exp"', header, `{${standard},"sub":"alice","exp":${seconds + 99999}}`],
    ['a duplicate inside a nested object', header, `{${standard},"sub":"alice","x":{"r":1,"r" : 2}}`],
    ['two "alg" in the header', '{"alg":"none","alg":"HS256"}', `{${standard},"sub":"alice"}`],
    ['a byte-order mark before the payload', header, `\ufeff{${standard},"sub":"alice"}`],
    ['a byte-order mark before the header', `\ufeff${header}`, `{${standard},"sub":"alice"}`],
  ])('rejects %s', async (_name, head, payload) => {
    const token = forge(head, payload)
    // Signed with the right secret: only the JSON is wrong.
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'token_malformed', status: 401 })
    const { node, fetch } = await viaBoth(auth, [['authorization', `Bearer ${token}`]])
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({
        status: 'rejected',
        code: 'token_malformed',
        httpStatus: 401,
        challenge: expect.stringContaining('error="invalid_token"'),
      })
  })

  it('accepts the same name in different objects, and names that only look alike in values', async () => {
    const payload = `{${standard},"sub":"alice","a":{"sub":"x","n":{"sub":1}},"list":[{"k":1},{"k":2}],"note":"\\"sub\\":"}`
    const { node, fetch } = await viaBoth(auth, [['authorization', `Bearer ${forge(header, payload)}`]])
    for (const outcome of [node, fetch])
      expect(outcome).toMatchObject({ status: 'authenticated', subject: 'alice' })
  })
})
