import { createAuth } from '@portcullis/core'
import { describe, expect, it } from 'vitest'
import { audience, claims, forge, issuer, secret, serve, signingKey } from '../support/fixtures.js'

describe('key material carried by the token itself', () => {
  it.each(['jwk', 'jku', 'x5u', 'x5c'])('rejects a "%s" header and never fetches it', async (name) => {
    const attacker = await signingKey('ES256')
    const trap = await serve((_request, response) =>
      response.end(JSON.stringify({ keys: [attacker.publicJwk] })),
    )
    const values: Record<string, unknown> = {
      jwk: attacker.publicJwk,
      jku: `${trap.url}/jwks.json`,
      x5u: `${trap.url}/cert.pem`,
      x5c: ['MIIBszCCAVmgAwIBAgIUJ'],
    }
    const legit = await signingKey('ES256')
    for (const auth of [
      createAuth({ issuer, audience, secret }),
      createAuth({ issuer, audience, jwks: { keys: [legit.publicJwk] } }),
      createAuth({ issuer, audience, jwks: `${trap.url}/configured-jwks` }),
    ]) {
      for (const alg of ['HS256', 'ES256']) {
        const token = forge({ alg, kid: attacker.kid, [name]: values[name] }, claims())
        await expect(auth.verify(token)).rejects.toMatchObject({ code: 'token_malformed', status: 401 })
      }
    }
    expect(trap.hits()).toBe(0)
  })
})
