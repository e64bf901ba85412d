import type { AuthErrorCode } from '@portcullis/core'
import { decodeJwt, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { createDevKey } from '../src/dev-keys.js'
import { formatInspection, humanDuration, type InspectOptions, inspectToken } from '../src/inspect.js'
import { createDevIssuer, DEMO_AUDIENCE } from '../src/issuer.js'

const key = await createDevKey()
const issuer = createDevIssuer({ key, issuer: 'http://127.0.0.1:3000' })
const options: InspectOptions = { issuer: issuer.issuer, audience: DEMO_AUDIENCE, jwks: issuer.jwks() }
const alice = () => issuer.mint({ subject: 'alice', scopes: ['read:reports'], roles: ['admin'], ttl: 300 })

const lines = async (token: string, extra: Partial<InspectOptions> = {}) => {
  const inspection = await inspectToken(token, { ...options, ...extra })
  return { inspection, text: formatInspection(inspection) }
}

const rejected = (code: AuthErrorCode, status: number) => ({
  result: { accepted: false, error: expect.objectContaining({ code, status }) },
})

describe('inspectToken', () => {
  it('accepts a fresh demo token and passes every check', async () => {
    const { inspection, text } = await lines(await alice(), { scopes: ['read:reports'], roles: ['admin'] })
    expect(inspection.result).toMatchObject({ accepted: true, identity: { subject: 'alice' } })
    expect(inspection.checks.every((check) => check.status === 'pass')).toBe(true)
    expect(text).toContain('✓ alg ES256 is allowed')
    expect(text).toContain(`✓ kid "${key.kid}" matches a trusted key`)
    expect(text).toContain('✓ signature is valid')
    expect(text).toMatch(/✓ exp: expires in 4m 5\ds|✓ exp: expires in 5m/)
    expect(text).toContain('ACCEPTED: subject "alice"')
  })

  it('explains an expired token with how long ago it expired', async () => {
    const token = await alice()
    const { exp } = decodeJwt(token)
    const { inspection, text } = await lines(token, { now: () => (exp! + 180) * 1000 })
    expect(inspection).toMatchObject(rejected('token_expired', 401))
    expect(text).toContain('✗ exp: expired 3m ago')
    // The other checks are judged on their own, at a moment when the token was valid.
    expect(text).toContain('✓ signature is valid')
    expect(text).toContain('✓ aud "urn:portcullis:demo" includes "urn:portcullis:demo"')
  })

  it('explains a token that is not valid yet', async () => {
    const token = await alice()
    const { iat } = decodeJwt(token)
    const { inspection, text } = await lines(token, { now: () => (iat! - 120) * 1000 })
    expect(inspection).toMatchObject(rejected('token_not_yet_valid', 401))
    expect(text).toContain('✗ iat: not valid for another 2m\n')
  })

  it('names the audience the token has and the one the config expects', async () => {
    const { inspection, text } = await lines(await alice(), { audience: 'https://api.example.com' })
    expect(inspection).toMatchObject(rejected('claim_invalid', 401))
    expect(text).toContain('✗ aud "urn:portcullis:demo" does not include "https://api.example.com"')
    expect(text).toContain('✓ signature is valid')
  })

  it('names the issuer the token has and the one the config trusts', async () => {
    const { inspection, text } = await lines(await alice(), { issuer: 'https://id.example.com' })
    expect(inspection).toMatchObject(rejected('claim_invalid', 401))
    expect(text).toContain('✗ iss "http://127.0.0.1:3000" is not the trusted issuer "https://id.example.com"')
  })

  it('rejects an algorithm the keys do not allow and skips what comes after', async () => {
    const token = await new SignJWT({ sub: 'alice', aud: DEMO_AUDIENCE })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)))
    const { inspection, text } = await lines(token)
    expect(inspection).toMatchObject(rejected('algorithm_not_allowed', 401))
    expect(text).toContain('✗ alg HS256 is not allowed')
    expect(text).toContain('– signature: not reached')
  })

  it('reports a kid that no trusted key has', async () => {
    const other = createDevIssuer({ key: await createDevKey(), issuer: issuer.issuer })
    const { inspection, text } = await lines(await other.mint({ subject: 'alice' }))
    expect(inspection).toMatchObject(rejected('key_not_found', 401))
    expect(text).toMatch(/✗ kid "[\w-]+" matches no ES256 key \(key ids: [\w-]+\)/)
  })

  it('reports a signature that does not verify', async () => {
    const token = await alice()
    const [header, payload] = token.split('.')
    const forged = `${header}.${payload}.${(await alice()).split('.')[2]}`
    const { inspection, text } = await lines(forged)
    expect(inspection).toMatchObject(rejected('signature_invalid', 401))
    expect(text).toContain('✗ signature does not verify with that key')
    expect(text).toContain('– exp: expires in')
  })

  it('reports missing scopes and roles as a 403', async () => {
    const token = await issuer.mint({ subject: 'bob', scopes: ['read:reports'] })
    const { inspection, text } = await lines(token, { scopes: ['write:reports'], roles: ['admin'] })
    expect(inspection).toMatchObject(rejected('insufficient_scope', 403))
    expect(text).toContain('✗ scopes: requires the scopes: write:reports (token has: read:reports)')
    expect(text).toMatch(/✗ roles: .*admin.*\(token has: none\)/)
  })

  it('explains what is not a JWT at all', async () => {
    const { inspection, text } = await lines('not-a-token')
    expect(inspection).toMatchObject(rejected('token_malformed', 401))
    expect(text).toContain('✗ token_malformed:')
  })

  it('reports a key set core cannot use as a keys failure', async () => {
    const { inspection, text } = await lines(await alice(), {
      jwks: { keys: [{ kty: 'oct', k: 'c2hvcnQ' }] },
    })
    expect(inspection).toMatchObject(rejected('jwks_unavailable', 503))
    expect(text).toContain("✗ cannot load the issuer's keys")
  })

  it('throws a TypeError for a configuration createAuth would refuse at startup', async () => {
    await expect(inspectToken(await alice(), { ...options, algorithms: ['RS256'] })).rejects.toThrow(
      /algorithms.*RS256/,
    )
  })

  it('fails closed when the keys cannot be loaded', async () => {
    const { inspection, text } = await lines(await alice(), { jwks: 'http://127.0.0.1:9/jwks.json' })
    expect(inspection).toMatchObject(rejected('jwks_unavailable', 503))
    expect(text).toContain("✗ cannot load the issuer's keys")
  })
})

describe('humanDuration', () => {
  it('reads like a person would say it', () => {
    expect([45, 192, 3600 + 300, 86_400 * 4 + 3600].map(humanDuration)).toEqual([
      '45s',
      '3m 12s',
      '1h 5m',
      '4d 1h',
    ])
  })
})
