/**
 * Review of issue 18: a token bound to a key (`cnf`) passed as a plain bearer token whenever nothing
 * checked its binding: without `dpop`, any `cnf.jkt` token; with it, a certificate-bound one. A
 * stolen sender-constrained token then worked as a bearer token, which is what binding prevents
 * (RFC 9449 7.1, RFC 8705 3). Now each is refused on the miss path, with a message naming `dpop`.
 */
import { createAuth, createSessions } from '@portcullis/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { proof, proofKey } from '../support/dpop.js'
import { audience, issuer, type SigningKey, sign, signingKey } from '../support/fixtures.js'

let issuerKey: SigningKey
let jkt: string

beforeAll(async () => {
  issuerKey = await signingKey('ES256')
  jkt = (await proofKey()).jkt
})

const withoutDpop = () => createAuth({ issuer, audience, keys: [issuerKey.publicJwk] })
const withDpop = () => createAuth({ issuer, audience, keys: [issuerKey.publicJwk], dpop: {} })

describe('a key-bound token is never accepted as a bearer token', () => {
  it('refuses a DPoP-bound token when dpop is not configured, naming the option', async () => {
    const token = await sign(issuerKey, { cnf: { jkt } })
    const auth = withoutDpop()
    const result = await auth.authenticate({ authorization: `Bearer ${token}` })
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'dpop_binding_invalid', status: 401 } })
    expect(result.status === 'rejected' && result.error.message).toContain('"dpop" option')
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'dpop_binding_invalid', status: 401 })
  })

  it('never echoes the binding in the message', async () => {
    const token = await sign(issuerKey, { cnf: { jkt } })
    await expect(withoutDpop().verify(token)).rejects.not.toThrow(jkt)
  })

  it('refuses a certificate-bound token (cnf x5t#S256) with or without dpop', async () => {
    const token = await sign(issuerKey, {
      cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' },
    })
    for (const auth of [withoutDpop(), withDpop()])
      expect(await auth.authenticate({ authorization: `Bearer ${token}` })).toMatchObject({
        status: 'rejected',
        error: { code: 'dpop_binding_invalid', status: 401 },
      })
  })

  it('refuses a DPoP-bound token in a cookie, with dpop configured and a valid proof beside it', async () => {
    const client = await proofKey()
    const token = await sign(issuerKey, { cnf: { jkt: client.jkt } })
    const dpop = await proof(client, { htm: 'GET', htu: 'https://api.example.com/reports', token })
    const request = new Request('https://api.example.com/reports', {
      headers: { cookie: `__session=${token}`, dpop },
    })
    expect(await withDpop().authenticate(request)).toMatchObject({
      status: 'rejected',
      error: { code: 'dpop_binding_invalid', status: 401 },
    })
  })

  it('refuses a cnf that is not an object when dpop is not configured', async () => {
    const token = await sign(issuerKey, { cnf: 'jkt' })
    await expect(withoutDpop().verify(token)).rejects.toMatchObject({ code: 'claim_invalid', status: 401 })
  })

  it('still accepts plain tokens, and a cnf that binds nothing', async () => {
    const auth = withoutDpop()
    expect((await auth.verify(await sign(issuerKey))).subject).toBe('alice')
    expect((await auth.verify(await sign(issuerKey, { cnf: {} }))).subject).toBe('alice')
  })

  it('has sessions refuse a cnf claim at issue(), since createAuth would refuse the token', async () => {
    const sessions = createSessions({ secret: 'a-session-secret-of-at-least-32-bytes', issuer, audience })
    await expect(sessions.issue({ subject: 'alice', claims: { cnf: { jkt } } })).rejects.toThrow(
      new TypeError('"claims" must not set "cnf": sessions set it themselves'),
    )
  })
})
