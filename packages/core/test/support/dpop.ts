import { createHash, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Auth } from '@portcullis/core'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { onTestFinished } from 'vitest'

/** A client's DPoP key pair: the proofs' signer, and the `cnf.jkt` a token is bound to. */
export interface ProofKey {
  readonly privateKey: CryptoKey
  readonly publicJwk: JWK
  readonly jkt: string
}

export async function proofKey(alg = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256') }
}

export const ath = (token: string) => createHash('sha256').update(token).digest('base64url')

/** A DPoP proof for `htm` `htu` and `token`; `claims` and `header` override its members. */
export function proof(
  key: ProofKey,
  options: {
    htm: string
    htu: string
    token: string
    claims?: Record<string, unknown>
    header?: Record<string, unknown>
    nowMs?: number
  },
): Promise<string> {
  return new SignJWT({
    htm: options.htm,
    htu: options.htu,
    iat: Math.floor((options.nowMs ?? Date.now()) / 1000),
    jti: randomUUID(),
    ath: ath(options.token),
    ...options.claims,
  })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk, ...options.header })
    .sign(key.privateKey)
}

/**
 * A DPoP client for end-to-end tests: its key, an access token bound to it (`sign` makes the token
 * from its `cnf` claim) and `proof(htu, nonce?)`, a fresh proof of `htm` `htu` for that token.
 */
export async function dpopClient(
  sign: (claims: { cnf: { jkt: string } }) => Promise<string>,
  htm: string,
): Promise<{ key: ProofKey; token: string; proof(htu: string, nonce?: string): Promise<string> }> {
  const key = await proofKey()
  const token = await sign({ cnf: { jkt: key.jkt } })
  return {
    key,
    token,
    proof: (htu, nonce) => proof(key, { htm, htu, token, claims: nonce === undefined ? {} : { nonce } }),
  }
}

/** What a client sees: the status, the challenge and the nonce, or who it was authenticated as. */
export interface Seen {
  readonly status: number
  readonly code?: string
  readonly subject?: string
  readonly challenge?: string
  readonly nonce?: string
}

/**
 * A real `node:http` server answering from `auth.authenticate(req)`: 200 with the subject, or the
 * rejection's status with `WWW-Authenticate` and `DPoP-Nonce`. Closed when the test ends.
 */
export async function nodeServer(auth: Auth<unknown>): Promise<{
  url: string
  send(method: string, path: string, headers: Record<string, string | string[]>): Promise<Seen>
}> {
  const server = createServer(async (req, res) => {
    const result = await auth.authenticate(req)
    if (result.status === 'rejected') {
      const { error } = result
      if (error.status !== 503) res.setHeader('www-authenticate', error.wwwAuthenticate)
      if (error.dpopNonce) res.setHeader('dpop-nonce', error.dpopNonce)
      res.writeHead(error.status).end(error.code)
    } else res.writeHead(200).end(result.status === 'authenticated' ? `sub:${result.identity.subject}` : '')
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
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    // node:http, not fetch: an array value is sent as separate header lines, as a client could.
    send: (method, path, headers) =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => {
            body += chunk
          })
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              ...(res.statusCode === 200
                ? body.startsWith('sub:')
                  ? { subject: body.slice(4) }
                  : {}
                : { code: body }),
              ...(res.headers['www-authenticate'] ? { challenge: res.headers['www-authenticate'] } : {}),
              ...(typeof res.headers['dpop-nonce'] === 'string' ? { nonce: res.headers['dpop-nonce'] } : {}),
            }),
          )
        })
        req.on('error', reject)
        req.end()
      }),
  }
}

/** The same answer for a Fetch `Request`, straight through `authenticate`. */
export async function fetchRequest(
  auth: Auth<unknown>,
  method: string,
  url: string,
  headers: Record<string, string | string[]>,
): Promise<Seen> {
  const init = new Headers()
  for (const [name, value] of Object.entries(headers))
    for (const item of Array.isArray(value) ? value : [value]) init.append(name, item)
  const result = await auth.authenticate(new Request(url, { method, headers: init }))
  if (result.status === 'authenticated') return { status: 200, subject: result.identity.subject }
  if (result.status === 'anonymous') return { status: 200 }
  const { error } = result
  return {
    status: error.status,
    code: error.code,
    ...(error.status !== 503 ? { challenge: error.wwwAuthenticate } : {}),
    ...(error.dpopNonce ? { nonce: error.dpopNonce } : {}),
  }
}
