import { createHmac } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { onTestFinished } from 'vitest'

export const issuer = 'https://id.example.com/'
export const audience = 'https://api.example.com'
export const secret = 'a-test-secret-that-is-at-least-32-bytes-long'

/** A loopback HTTP server that counts requests; closed when the test ends. */
export async function serve(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; hits: () => number }> {
  let hits = 0
  const server = createServer((request, response) => {
    hits++
    handler(request, response)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(
    () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  )
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits }
}

/** Serves whatever `body()` returns as JSON, so a test can rotate keys or break the IdP. */
export async function serveJson(body: () => unknown) {
  return serve((_request, response) => {
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify(body()))
  })
}

export interface SigningKey {
  readonly kid: string
  readonly alg: string
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
}

/** A fresh key pair with its public JWK (kid and alg set). */
export async function signingKey(alg = 'ES256', kid = `${alg}-${Math.random().toString(36).slice(2)}`) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { kid, alg, privateKey, publicJwk } satisfies SigningKey
}

/** Signs a valid token (iss, aud, sub, iat, exp around `nowMs`) with `key`; claims and header override. */
export function sign(
  key: SigningKey | Uint8Array | string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  nowMs = Date.now(),
): Promise<string> {
  const seconds = Math.floor(nowMs / 1000)
  const signer = new SignJWT({
    iss: issuer,
    aud: audience,
    sub: 'alice',
    iat: seconds,
    exp: seconds + 300,
    ...claims,
  })
  if (typeof key === 'string' || key instanceof Uint8Array) {
    const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key
    return signer.setProtectedHeader({ alg: 'HS256', ...header }).sign(bytes)
  }
  return signer.setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey)
}

/** A clock the test moves by hand, in milliseconds. */
export function clock(start = Date.now()) {
  let current = start
  return {
    now: () => current,
    advance(ms: number) {
      current += ms
    },
  }
}

const segment = (part: object | string) =>
  Buffer.from(typeof part === 'string' ? part : JSON.stringify(part)).toString('base64url')

/**
 * Builds a compact JWS by hand, for inputs a signing library refuses to make: raw JSON text, odd headers.
 * Signed HS256 with `hmacKey` (the shared test secret by default), or with `signature` as given.
 */
export function forge(
  header: object | string,
  payload: object | string,
  options: { hmacKey?: string | Buffer; signature?: string } = {},
): string {
  const input = `${segment(header)}.${segment(payload)}`
  const signature =
    options.signature ??
    createHmac(
      header && typeof header === 'object' && 'alg' in header ? hmacHash(String(header.alg)) : 'sha256',
      options.hmacKey ?? secret,
    )
      .update(input)
      .digest('base64url')
  return `${input}.${signature}`
}

const hmacHash = (alg: string) => ({ HS384: 'sha384', HS512: 'sha512' })[alg] ?? 'sha256'

/** Standard valid claims at `nowMs`, for forged tokens. */
export function claims(nowMs = Date.now(), extra: Record<string, unknown> = {}): Record<string, unknown> {
  const seconds = Math.floor(nowMs / 1000)
  return { iss: issuer, aud: audience, sub: 'alice', iat: seconds, exp: seconds + 300, ...extra }
}
