import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose'
import Provider, { type ClientMetadata, type Configuration, type ResourceServer } from 'oidc-provider'

/** A loopback HTTP server whose handler the test sets, and may swap; its URL is a provider's issuer. */
export interface Loopback {
  readonly url: string
  /** Answers every request from now on with `handler` (until the next call). */
  handle(handler: (request: IncomingMessage, response: ServerResponse) => void): void
  /** Closes the server and its open connections. */
  close(): Promise<void>
}

/** Listens on 127.0.0.1, port 0; requests wait for `handle`. Close it when the test or suite ends. */
export async function loopback(): Promise<Loopback> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  let handler: (request: IncomingMessage, response: ServerResponse) => void = () => {}
  server.on('request', (request, response) => handler(request, response))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handle(next) {
      handler = next
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}

/**
 * A panva oidc-provider for `issuer` with what every test provider shares (cookie keys, no
 * development interactions) under `configuration`.
 */
export function testProvider(issuer: string, configuration: Configuration = {}): Provider {
  return new Provider(issuer, {
    cookies: { keys: ['a-cookie-signing-key-for-tests'] },
    ...configuration,
    features: { devInteractions: { enabled: false }, ...configuration.features },
  })
}

/** A real OpenID Provider on loopback (see `testProvider`), its issuer the server's URL. */
export interface RunningProvider {
  readonly issuer: string
  readonly provider: Provider
  /** The path of every request served so far, in order. */
  readonly paths: readonly string[]
  /** Stops it: from `afterAll`, or `onTestFinished`. */
  close(): Promise<void>
}

/** Starts a real OpenID Provider on a loopback port with `configuration` (see `testProvider`). */
export async function startProvider(configuration: Configuration = {}): Promise<RunningProvider> {
  const server = await loopback()
  const provider = testProvider(server.url, configuration)
  const paths: string[] = []
  const callback = provider.callback()
  server.handle((request, response) => {
    paths.push(request.url ?? '')
    callback(request, response)
  })
  return { issuer: server.url, provider, paths, close: server.close }
}

/** A confidential client of the client credentials grant only; `metadata` adds to or overrides it. */
export function clientCredentialsClient(
  client: { readonly id: string; readonly secret: string },
  metadata: Partial<ClientMetadata> = {},
): ClientMetadata {
  return {
    client_id: client.id,
    client_secret: client.secret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    ...metadata,
  }
}

/**
 * Provider features for the client credentials grant with RFC 8707 resource indicators: every token
 * is for `audience` (the default resource), lives 300 s, and has `server`'s scope and format.
 */
export function clientCredentialsFeatures(
  audience: string,
  server: Omit<ResourceServer, 'audience'>,
): NonNullable<Configuration['features']> {
  return {
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      getResourceServerInfo: () => ({ audience, accessTokenTTL: 300, ...server }),
    },
  }
}

/** What the token endpoint answered. */
export interface TokenResponse {
  readonly status: number
  readonly body: { access_token?: string; token_type?: string; error?: string }
}

/**
 * A client credentials token request to `issuer`'s token endpoint (client_secret_basic), with the
 * form `params` (`scope`, `resource`, ...) and any extra `headers` (a DPoP proof).
 */
export async function requestToken(
  issuer: string,
  client: { readonly id: string; readonly secret: string },
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<TokenResponse> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${btoa(`${client.id}:${client.secret}`)}`,
      ...headers,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
  })
  return { status: response.status, body: (await response.json()) as TokenResponse['body'] }
}

/** The access token of a client credentials request; a refused request throws with the provider's error. */
export async function accessTokenOf(
  issuer: string,
  client: { readonly id: string; readonly secret: string },
  params: Record<string, string>,
): Promise<string> {
  const { body } = await requestToken(issuer, client, params)
  if (!body.access_token) throw new Error(`token request failed: ${body.error}`)
  return body.access_token
}

/** A provider's signing key: its private key, and the private JWK for `jwks` (kid, `use: sig`, alg). */
export async function providerKey(
  kid: string,
  alg = 'ES256',
): Promise<{ kid: string; privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
  })
  return { kid, privateKey, jwk: { ...(await exportJWK(privateKey)), kid, use: 'sig', alg } }
}
