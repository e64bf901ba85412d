import { createAuth, type IntrospectionOptions } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const secret = 'a-shared-secret-of-at-least-32-bytes!!'
const endpoint = 'https://id.example.com/token/introspection'
const valid = { endpoint, clientId: 'api', clientSecret: 'the-client-secret' }

describe('the introspection option', () => {
  it.each([
    [{ ...valid, endpoint: '' }, '"introspection.endpoint" must be a non-empty string'],
    [{ ...valid, endpoint: 'not a url' }, '"introspection.endpoint" must be an absolute URL'],
    [
      { ...valid, endpoint: 'http://id.example.com/i' },
      '"introspection.endpoint" must use https (plain http only on loopback)',
    ],
    [
      { ...valid, endpoint: 'https://u:p@id.example.com/i' },
      '"introspection.endpoint" must not contain a user name or password',
    ],
    [{ ...valid, clientId: '' }, '"introspection.clientId" must be a non-empty string'],
    [
      { ...valid, clientSecret: undefined },
      '"introspection" needs exactly one of "clientSecret" or "privateKeyJwt"',
    ],
    [{ ...valid, clientSecret: '' }, '"introspection.clientSecret" must be a non-empty string'],
    [{ ...valid, privateKeyJwt: { key: {}, alg: 'ES256' } }, '"introspection" needs exactly one of'],
    [
      { endpoint, clientId: 'api', privateKeyJwt: { key: { kty: 'EC' }, alg: 'ES256' } },
      '"introspection.privateKeyJwt.key" must be a private CryptoKey or a private JWK',
    ],
    [
      { endpoint, clientId: 'api', privateKeyJwt: { key: { kty: 'oct', k: 'x' }, alg: 'HS256' } },
      '"introspection.privateKeyJwt.alg" must be one of',
    ],
    [
      { ...valid, issuer: 'https://other.example/' },
      '"introspection.issuer" must be one of the configured issuers',
    ],
    [{ ...valid, maxBytes: 10 }, '"introspection.maxBytes" must be an integer of at least 256'],
    [{ ...valid, timeout: 'soon' }, 'introspection.timeout'],
    [
      { ...valid, headers: { 'x-key': 'a\nb' } },
      '"introspection.headers.x-key" must not contain CR, LF or NUL',
    ],
  ])('rejects %j at construction, naming the field', (introspection, message) => {
    // biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything
    expect(() => createAuth({ issuer, audience, secret, introspection: introspection as any })).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(message) }),
    )
  })

  it('never quotes the client secret in a message', () => {
    const clientSecret = 'super-secret-value\n'
    expect(() =>
      createAuth({ issuer, audience, secret, introspection: { ...valid, clientSecret, endpoint: 'x' } }),
    ).toThrow(expect.not.objectContaining({ message: expect.stringContaining('super-secret') }))
  })

  it('needs "issuer" to pick among several configured issuers', () => {
    const issuers = [
      { issuer, audience, secret },
      { issuer: 'https://b.example.com/', audience, secret },
    ]
    expect(() => createAuth({ issuers, introspection: valid })).toThrow(
      '"introspection.issuer" is required when more than one issuer is configured',
    )
    expect(() =>
      createAuth({ issuers, introspection: { ...valid, issuer: 'https://b.example.com/' } }),
    ).not.toThrow()
  })

  it('takes exactly one client authentication, in the types too', () => {
    const privateKeyJwt = { key: { kty: 'EC', d: 'x' }, alg: 'ES256' } as const
    // @ts-expect-error: a secret and a key at once
    const both: IntrospectionOptions = { ...valid, privateKeyJwt }
    // @ts-expect-error: neither
    const neither: IntrospectionOptions = { endpoint, clientId: 'api' }
    for (const introspection of [both, neither])
      expect(() => createAuth({ issuer, audience, secret, introspection })).toThrow(
        '"introspection" needs exactly one of "clientSecret" or "privateKeyJwt"',
      )
  })
})
