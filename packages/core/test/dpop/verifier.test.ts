/**
 * DPoP (RFC 9449) through `authenticate`: every rule of a proof, on a real `node:http` server and
 * on a Fetch `Request`, with tokens from a configured issuer key and proofs made with jose.
 */
import { type Auth, AuthError, createAuth, type DpopOptions } from '@portcullis/core'
import { SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { fetchRequest, nodeServer, type ProofKey, proof, proofKey, type Seen } from '../support/dpop.js'
import { audience, clock, issuer, type SigningKey, sign, signingKey } from '../support/fixtures.js'

let issuerKey: SigningKey
let client: ProofKey
let other: ProofKey
let bound: string
let plain: string

beforeAll(async () => {
  issuerKey = await signingKey('ES256')
  client = await proofKey()
  other = await proofKey()
  bound = await sign(issuerKey, { cnf: { jkt: client.jkt } })
  plain = await sign(issuerKey, { sub: 'bob' })
})

const makeAuth = (dpop: DpopOptions = {}, now?: () => number) =>
  createAuth({ issuer, audience, keys: [issuerKey.publicJwk], dpop, ...(now ? { now } : {}) })

interface Transport {
  /** The origin proofs name as `htu`. */
  readonly origin: string
  send(method: string, path: string, headers: Record<string, string | string[]>): Promise<Seen>
}

const transports: Record<string, (auth: Auth<unknown>) => Promise<Transport>> = {
  'a node:http server': async (auth) => {
    const server = await nodeServer(auth)
    return { origin: server.url, send: server.send }
  },
  'a Fetch Request': async (auth) => ({
    origin: 'https://api.example.com',
    send: (method, path, headers) => fetchRequest(auth, method, `https://api.example.com${path}`, headers),
  }),
}

describe.each(Object.keys(transports))('DPoP through authenticate on %s', (name) => {
  const open = (auth: Auth<unknown>) => transports[name]!(auth)

  async function setup(dpop: DpopOptions = {}, now?: () => number) {
    const t = await open(makeAuth(dpop, now) as Auth<unknown>)
    const make = (
      options: { htm?: string; path?: string; key?: ProofKey; token?: string } & Omit<
        Parameters<typeof proof>[1],
        'htm' | 'htu' | 'token'
      > = {},
    ) =>
      proof(options.key ?? client, {
        htm: options.htm ?? 'GET',
        htu: `${t.origin}${options.path ?? '/reports'}`,
        token: options.token ?? bound,
        ...(options.claims ? { claims: options.claims } : {}),
        ...(options.header ? { header: options.header } : {}),
        ...(options.nowMs ? { nowMs: options.nowMs } : {}),
      })
    const dpopCall = async (dpopProof: string | string[] | undefined, path = '/reports', method = 'GET') =>
      t.send(method, path, {
        authorization: `DPoP ${bound}`,
        ...(dpopProof === undefined ? {} : { dpop: dpopProof }),
      })
    return { t, make, dpopCall }
  }

  const rejectedProof = (seen: Seen, code = 'dpop_proof_invalid', status = 401) => {
    expect(seen).toMatchObject({ status, code })
    expect(seen.challenge).toMatch(/DPoP algs="ES256 [^"]*", error="invalid_dpop_proof"/)
    // The challenge never quotes the token or the proof.
    expect(seen.challenge).not.toContain(bound.slice(0, 20))
  }

  it('accepts a DPoP-bound token with a valid proof, and checks a new proof on every request', async () => {
    const { make, dpopCall } = await setup()
    expect(await dpopCall(await make())).toEqual({ status: 200, subject: 'alice' })
    // The token is cached now: the proof is not.
    expect(await dpopCall(await make())).toEqual({ status: 200, subject: 'alice' })
    rejectedProof(await dpopCall(undefined), 'dpop_proof_missing')
  })

  it('rejects a proof for another method', async () => {
    const { make, dpopCall } = await setup()
    rejectedProof(await dpopCall(await make({ htm: 'POST' })))
    expect(await dpopCall(await make({ htm: 'POST' }), '/reports', 'POST')).toMatchObject({ status: 200 })
  })

  it('compares htu without query or fragment, and rejects another path or host', async () => {
    const { t, make, dpopCall } = await setup()
    expect(await dpopCall(await make({ path: '/reports?page=1#top' }), '/reports?page=2')).toMatchObject({
      status: 200,
    })
    rejectedProof(await dpopCall(await make({ path: '/admin' })))
    const elsewhere = await proof(client, { htm: 'GET', htu: 'https://evil.example/reports', token: bound })
    rejectedProof(await dpopCall(elsewhere))
    // Scheme and host in any case, the default port spelled out: the same URL (RFC 9449 4.3).
    const url = new URL(t.origin)
    const spelled = `${url.protocol.toUpperCase()}//${url.host.toUpperCase()}${url.port ? '' : url.protocol === 'https:' ? ':443' : ':80'}/reports`
    const same = await proof(client, { htm: 'GET', htu: spelled, token: bound })
    expect(await dpopCall(same)).toMatchObject({ status: 200 })
  })

  it('rejects a stale iat and a future iat', async () => {
    const { make, dpopCall } = await setup({ maxAge: '60s', clockTolerance: '5s' })
    rejectedProof(await dpopCall(await make({ nowMs: Date.now() - 70_000 })))
    rejectedProof(await dpopCall(await make({ nowMs: Date.now() + 30_000 })))
    expect(await dpopCall(await make({ nowMs: Date.now() - 50_000 }))).toMatchObject({ status: 200 })
  })

  it('rejects a replayed proof (same jti)', async () => {
    const { make, dpopCall } = await setup()
    const once = await make()
    expect(await dpopCall(once)).toMatchObject({ status: 200 })
    rejectedProof(await dpopCall(once), 'dpop_replayed')
  })

  it('rejects a proof without jti, or with an ath for another token', async () => {
    const { make, dpopCall } = await setup()
    rejectedProof(await dpopCall(await make({ claims: { jti: undefined } })))
    rejectedProof(await dpopCall(await make({ token: plain })))
    rejectedProof(await dpopCall(await make({ claims: { ath: undefined } })))
  })

  it('rejects a proof signed by a key the token is not bound to (invalid_token)', async () => {
    const { make, dpopCall } = await setup()
    const seen = await dpopCall(await make({ key: other }))
    expect(seen).toMatchObject({ status: 401, code: 'dpop_binding_invalid' })
    expect(seen.challenge).toMatch(/DPoP algs="[^"]+", error="invalid_token"/)
  })

  it('rejects a symmetric (HS256) proof, alg none, a private key in its jwk, and a wrong typ', async () => {
    const { make, dpopCall } = await setup()
    const { t } = await setup()
    const hmac = await new SignJWT({
      htm: 'GET',
      htu: `${t.origin}/reports`,
      iat: Math.floor(Date.now() / 1000),
      jti: 'x',
    })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: 'c2VjcmV0' } as never })
      .sign(new TextEncoder().encode('a-secret-of-at-least-32-bytes-long!!'))
    rejectedProof(await dpopCall(hmac))
    const hmacPublic = await new SignJWT({
      htm: 'GET',
      htu: `${t.origin}/reports`,
      iat: Math.floor(Date.now() / 1000),
      jti: 'y',
    })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: client.publicJwk })
      .sign(new TextEncoder().encode('a-secret-of-at-least-32-bytes-long!!'))
    rejectedProof(await dpopCall(hmacPublic))
    const [h, p] = (await make()).split('.')
    const none = `${Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: client.publicJwk })).toString('base64url')}.${p}.`
    rejectedProof(await dpopCall(none))
    expect(h).toBeTruthy()
    const { exportJWK } = await import('jose')
    const privateJwk = await exportJWK(client.privateKey)
    rejectedProof(await dpopCall(await make({ header: { jwk: privateJwk } })))
    rejectedProof(await dpopCall(await make({ header: { typ: 'JWT' } })))
  })

  it('rejects a proof whose alg is asymmetric but not in dpop.algorithms', async () => {
    const { t } = await setup({ algorithms: ['ES256'] })
    const p384 = await proofKey('ES384')
    const token = await sign(issuerKey, { cnf: { jkt: p384.jkt } })
    const p = await proof(p384, { htm: 'GET', htu: `${t.origin}/reports`, token, header: { alg: 'ES384' } })
    const seen = await t.send('GET', '/reports', { authorization: `DPoP ${token}`, dpop: p })
    expect(seen).toMatchObject({ status: 401, code: 'dpop_proof_invalid' })
    expect(seen.challenge).toMatch(
      /^Bearer, DPoP algs="ES256", error="invalid_dpop_proof", .*must be one of ES256"$/,
    )
  })

  it('rejects a missing proof, two proofs, and a huge one (400 for the request shape)', async () => {
    const { make, dpopCall } = await setup()
    rejectedProof(await dpopCall(undefined), 'dpop_proof_missing')
    rejectedProof(await dpopCall([await make(), await make()]), 'dpop_proof_invalid', 400)
    rejectedProof(await dpopCall(`${await make()}, ${await make()}`), 'dpop_proof_invalid', 400)
    rejectedProof(await dpopCall('e'.repeat(9000)), 'dpop_proof_invalid', 400)
  })

  it('rejects a DPoP-bound token sent as Bearer, and a plain token sent as DPoP', async () => {
    const { t, make } = await setup()
    const asBearer = await t.send('GET', '/reports', { authorization: `Bearer ${bound}`, dpop: await make() })
    expect(asBearer).toMatchObject({ status: 401, code: 'dpop_binding_invalid' })
    // The error is on the Bearer challenge, the scheme the client used; DPoP is offered beside it.
    expect(asBearer.challenge).toMatch(/^Bearer error="invalid_token", .*, DPoP algs="ES256[^"]*"$/)
    const plainAsDpop = await t.send('GET', '/reports', {
      authorization: `DPoP ${plain}`,
      dpop: await make({ token: plain }),
    })
    expect(plainAsDpop).toMatchObject({ status: 401, code: 'dpop_binding_invalid' })
    expect(plainAsDpop.challenge).toMatch(/^Bearer, DPoP algs="[^"]+", error="invalid_token"/)
    // A plain token as Bearer is still fine while DPoP is optional.
    expect(await t.send('GET', '/reports', { authorization: `Bearer ${plain}` })).toEqual({
      status: 200,
      subject: 'bob',
    })
  })

  it('with required: true, rejects a token without cnf.jkt and challenges with DPoP only', async () => {
    const { t, make, dpopCall } = await setup({ required: true, algorithms: ['ES256'] })
    const seen = await t.send('GET', '/reports', { authorization: `Bearer ${plain}` })
    expect(seen).toMatchObject({ status: 401, code: 'dpop_binding_invalid' })
    expect(seen.challenge).toBe(
      'DPoP algs="ES256", error="invalid_token", error_description="this API accepts DPoP-bound tokens only"',
    )
    // No credentials is anonymous; the challenge an adapter sends for it offers DPoP alone.
    expect(await t.send('GET', '/reports', {})).toEqual({ status: 200 })
    expect(await dpopCall(await make())).toMatchObject({ status: 200 })
  })

  it('asks for a server nonce with use_dpop_nonce and DPoP-Nonce, then accepts it until it is stale', async () => {
    const time = clock()
    const { make, dpopCall } = await setup(
      { nonce: { secret: 'a-nonce-secret-of-at-least-32-bytes!!', rotation: '1m' } },
      time.now,
    )
    const first = await dpopCall(await make({ nowMs: time.now() }))
    expect(first).toMatchObject({ status: 401, code: 'dpop_nonce_required' })
    expect(first.challenge).toMatch(/DPoP algs="[^"]+", error="use_dpop_nonce"/)
    expect(first.nonce).toMatch(/^[\w.-]{20,}$/)
    const withNonce = await dpopCall(await make({ nowMs: time.now(), claims: { nonce: first.nonce } }))
    expect(withNonce).toEqual({ status: 200, subject: 'alice' })
    // The previous period's nonce still passes: a client is not bounced at every rotation.
    time.advance(60_000)
    expect(await dpopCall(await make({ nowMs: time.now(), claims: { nonce: first.nonce } }))).toMatchObject({
      status: 200,
    })
    expect(await dpopCall(await make({ nowMs: time.now(), claims: { nonce: 'made-up' } }))).toMatchObject({
      code: 'dpop_nonce_required',
    })
    time.advance(90_000)
    const stale = await dpopCall(await make({ nowMs: time.now(), claims: { nonce: first.nonce } }))
    expect(stale).toMatchObject({ status: 401, code: 'dpop_nonce_required' })
    expect(stale.nonce).not.toBe(first.nonce)
  })

  it('answers 503, never 401, when the replay store is down', async () => {
    const down = {
      get: () => Promise.reject(new Error('ECONNREFUSED')),
      set: () => Promise.reject(new Error('ECONNREFUSED')),
      delete: () => Promise.reject(new Error('ECONNREFUSED')),
      compareAndSwap: () => Promise.reject(new Error('connection lost')),
    }
    const { make, dpopCall } = await setup({ store: down })
    const seen = await dpopCall(await make())
    expect(seen).toMatchObject({ status: 503, code: 'store_unavailable' })
    expect(seen.challenge).toBeUndefined()
  })
})

describe('DPoP outside a request', () => {
  it('reads an Authorization header that names DPoP but is not "DPoP <token>" as a malformed request (400)', async () => {
    const auth = makeAuth()
    for (const authorization of [
      'DPoP',
      'DPoP a b',
      `DPoP ${bound}, Bearer ${plain}`,
      `Basic eDp5, DPoP ${bound}`,
      `Bearer ${plain}, DPoP ${bound}`,
    ])
      expect(await auth.authenticate({ authorization }), authorization.slice(0, 12)).toMatchObject({
        status: 'rejected',
        error: { code: 'token_malformed', status: 400 },
      })
  })

  it('says a proof JWK holding private members is refused as such, before any import', async () => {
    const { exportJWK } = await import('jose')
    const auth = makeAuth()
    const url = 'https://api.example.com/reports'
    const dpop = await proof(client, {
      htm: 'GET',
      htu: url,
      token: bound,
      header: { jwk: await exportJWK(client.privateKey) },
    })
    const result = await auth.authenticate(
      new Request(url, { headers: { authorization: `DPoP ${bound}`, dpop } }),
    )
    expect(result).toMatchObject({
      status: 'rejected',
      error: {
        code: 'dpop_proof_invalid',
        message: 'DPoP proof header "jwk" must be a public key (it holds private members)',
      },
    })
  })

  it('challenges a request without credentials with Bearer and DPoP, or DPoP alone when required', () => {
    const missing = new AuthError('token_missing', 'authentication is required')
    expect(makeAuth({ algorithms: ['ES256', 'EdDSA'] }).challenge(missing).wwwAuthenticate).toBe(
      'Bearer, DPoP algs="ES256 EdDSA"',
    )
    expect(
      createAuth({
        issuer,
        audience,
        keys: [issuerKey.publicJwk],
        realm: 'api',
        dpop: { required: true },
      }).challenge(missing).wwwAuthenticate,
    ).toMatch(/^DPoP algs="ES256 ES384 [^"]+", realm="api"$/)
  })

  it('rejects a bound token in a header record, which has no method or URL to check the proof against', async () => {
    const auth = makeAuth()
    const dpop = await proof(client, { htm: 'GET', htu: 'https://api.example.com/reports', token: bound })
    const result = await auth.authenticate({ authorization: `DPoP ${bound}`, dpop })
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'dpop_proof_invalid', status: 401 } })
  })

  it('refuses a bound token when dpop is not configured (nothing could check its proof); DPoP reads as no token', async () => {
    const auth = createAuth({ issuer, audience, keys: [issuerKey.publicJwk] })
    expect(await auth.authenticate({ authorization: `Bearer ${bound}` })).toMatchObject({
      status: 'rejected',
      error: { code: 'dpop_binding_invalid', status: 401 },
    })
    expect(await auth.authenticate({ authorization: `DPoP ${bound}` })).toMatchObject({ status: 'anonymous' })
  })
})
