import { AuthError, createAuth, resourceMetadataUrl } from '@portcullis/core'
import { describe, expect, it } from 'vitest'

const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const secret = 'a-shared-secret-of-at-least-32-bytes!!'

describe('resourceMetadataUrl (RFC 9728 3.1)', () => {
  it('puts the well-known path between the host and the resource path', () => {
    expect(resourceMetadataUrl('https://api.example.com/mcp')).toBe(
      'https://api.example.com/.well-known/oauth-protected-resource/mcp',
    )
    expect(resourceMetadataUrl('https://api.example.com/v1/mcp/')).toBe(
      'https://api.example.com/.well-known/oauth-protected-resource/v1/mcp/',
    )
  })

  it("drops the host's terminating slash and keeps port and query", () => {
    expect(resourceMetadataUrl('https://api.example.com')).toBe(
      'https://api.example.com/.well-known/oauth-protected-resource',
    )
    expect(resourceMetadataUrl('https://api.example.com/')).toBe(
      'https://api.example.com/.well-known/oauth-protected-resource',
    )
    expect(resourceMetadataUrl('https://api.example.com:8443/a?x=1')).toBe(
      'https://api.example.com:8443/.well-known/oauth-protected-resource/a?x=1',
    )
  })
})

describe('auth.protectedResourceMetadata()', () => {
  it('is undefined, and challenges carry no resource_metadata, without the option', async () => {
    const auth = createAuth({ issuer, audience, secret })
    expect(auth.protectedResourceMetadata()).toBeUndefined()
    expect(auth.resourceMetadataUrl).toBeUndefined()
    const result = await auth.authenticate({ authorization: 'Bearer a.b.c' })
    expect(result.status === 'rejected' && result.error.wwwAuthenticate).not.toContain('resource_metadata')
  })

  it('builds the document with RFC 9728 member names, the configured issuers as servers by default', () => {
    const auth = createAuth({
      issuer,
      audience,
      secret,
      resource: {
        resource: 'https://api.example.com/mcp',
        scopesSupported: ['tools:call'],
        resourceName: 'Tools',
      },
    })
    expect(auth.protectedResourceMetadata()).toEqual({
      resource: 'https://api.example.com/mcp',
      authorization_servers: [issuer],
      scopes_supported: ['tools:call'],
      bearer_methods_supported: ['header'],
      resource_name: 'Tools',
    })
    expect(auth.resourceMetadataUrl).toBe('https://api.example.com/.well-known/oauth-protected-resource/mcp')
    expect(auth.resourceMetadataPath).toBe('/.well-known/oauth-protected-resource/mcp')
    expect(Object.isFrozen(auth.protectedResourceMetadata())).toBe(true)
  })

  it('maps every option to its member, authorization servers as given', () => {
    const auth = createAuth({
      issuer,
      audience,
      secret,
      resource: {
        resource: 'https://api.example.com',
        authorizationServers: ['https://as.example.com'],
        bearerMethodsSupported: ['header', 'body'],
        jwksUri: 'https://api.example.com/jwks',
        resourceDocumentation: 'https://docs.example.com',
        resourcePolicyUri: 'https://example.com/policy',
        resourceTosUri: 'https://example.com/tos',
        dpopSigningAlgValuesSupported: ['ES256'],
        dpopBoundAccessTokensRequired: false,
      },
    })
    expect(auth.protectedResourceMetadata()).toEqual({
      resource: 'https://api.example.com',
      authorization_servers: ['https://as.example.com'],
      bearer_methods_supported: ['header', 'body'],
      jwks_uri: 'https://api.example.com/jwks',
      resource_documentation: 'https://docs.example.com',
      resource_policy_uri: 'https://example.com/policy',
      resource_tos_uri: 'https://example.com/tos',
      dpop_signing_alg_values_supported: ['ES256'],
      dpop_bound_access_tokens_required: false,
    })
  })

  it('leaves out issuers that are no https URL from the default servers', () => {
    const auth = createAuth({ issuer: 'my-app', audience, secret, resource: { resource: audience } })
    expect(auth.protectedResourceMetadata()).not.toHaveProperty('authorization_servers')
  })

  it.each([
    [{ resource: 'not a url' }, '"resource.resource" must be an absolute URL'],
    [
      { resource: 'http://api.example.com' },
      '"resource.resource" must use https (plain http only on loopback)',
    ],
    [{ resource: 'https://api.example.com/#x' }, '"resource.resource" must not have a fragment'],
    [
      { resource: 'https://u:p@api.example.com' },
      '"resource.resource" must not contain a user name or password',
    ],
    [
      { resource: audience, authorizationServers: 'https://as' },
      '"resource.authorizationServers" must be an array',
    ],
    [
      { resource: audience, authorizationServers: ['http://as.example'] },
      '"resource.authorizationServers[0]" must use https',
    ],
    [
      { resource: audience, scopesSupported: ['a b'] },
      '"resource.scopesSupported" must be an array of non-empty strings as listed',
    ],
    [
      { resource: audience, bearerMethodsSupported: ['cookie'] },
      '"resource.bearerMethodsSupported" must be an array',
    ],
    [{ resource: audience, resourceName: '' }, '"resource.resourceName" must be a non-empty string'],
    [
      { resource: audience, dpopBoundAccessTokensRequired: 'yes' },
      '"resource.dpopBoundAccessTokensRequired" must be a boolean',
    ],
  ])('rejects %j at construction', (resource, message) => {
    // biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything
    expect(() => createAuth({ issuer, audience, secret, resource: resource as any })).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringContaining(message) }),
    )
  })

  it('allows plain http on loopback, for development', () => {
    const auth = createAuth({ issuer, audience, secret, resource: { resource: 'http://127.0.0.1:3000/mcp' } })
    expect(auth.resourceMetadataUrl).toBe('http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp')
  })
})

describe('resource_metadata in challenges (RFC 9728 5.1)', () => {
  const auth = createAuth({
    issuer,
    audience,
    secret,
    realm: 'api',
    resource: { resource: 'https://api.example.com/mcp' },
  })
  const url = 'https://api.example.com/.well-known/oauth-protected-resource/mcp'

  it('names the metadata URL in the 401 for a rejected token', async () => {
    const result = await auth.authenticate({ authorization: 'Bearer a.b.c' })
    expect(result.status).toBe('rejected')
    if (result.status !== 'rejected') return
    expect(result.error.status).toBe(401)
    expect(result.error.wwwAuthenticate).toBe(
      `Bearer realm="api", resource_metadata="${url}", error="invalid_token", error_description="${result.error.message}"`,
    )
  })

  it('names it for a rejection raised outside the verifier, through auth.challenge', () => {
    const error = auth.challenge(missing())
    expect(error.wwwAuthenticate).toBe(`Bearer realm="api", resource_metadata="${url}"`)
    expect(error).toMatchObject({ code: 'token_missing', status: 401, resourceMetadata: url })
  })

  it('names it on verify() rejections too', async () => {
    await expect(auth.verify('a.b.c')).rejects.toMatchObject({ status: 401, resourceMetadata: url })
  })
})

function missing() {
  return new AuthError('token_missing', 'authentication is required')
}
