import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type AuthEvent, createAuth, type Duration } from '@portcullis/core'
import { SignJWT } from 'jose'
import { describe, expect, it, onTestFinished } from 'vitest'

const issuer = 'https://id.example.com/'
const audience = 'https://api.example.com'
const secret = 'a-shared-secret-of-at-least-32-bytes!!'
const clientSecret = 'the-client-secret: with spaces & symbols'
const token = 'opaque-token-0123456789abcdef'
const seconds = () => Math.floor(Date.now() / 1000)

interface Seen {
  hits: number
  authorization?: string
  body?: string
  method?: string
}

/** A loopback introspection endpoint answering with `answer`; counts and records requests. */
async function endpoint(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: Seen = { hits: 0 }
  const server = createServer((req, res) => {
    seen.hits++
    seen.authorization = req.headers.authorization
    seen.method = req.method
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      seen.body = body
      answer(req, res)
    })
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
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`, seen }
}

const json = (value: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value))
}
const active = (claims: Record<string, unknown> = {}) =>
  json({
    active: true,
    iss: issuer,
    sub: 'alice',
    aud: audience,
    scope: 'read write',
    exp: seconds() + 300,
    ...claims,
  })

function makeAuth(
  url: string,
  extra: { now?: () => number; onEvent?: (event: AuthEvent) => void; cacheMaxAge?: Duration } = {},
) {
  return createAuth({
    issuer,
    audience,
    secret,
    ...(extra.now ? { now: extra.now } : {}),
    ...(extra.onEvent ? { onEvent: extra.onEvent } : {}),
    introspection: {
      endpoint: url,
      clientId: 'api client',
      clientSecret,
      timeout: '300ms',
      ...(extra.cacheMaxAge ? { cacheMaxAge: extra.cacheMaxAge } : {}),
    },
  })
}

describe('the introspection request', () => {
  it('POSTs the token as a form with client_secret_basic, each part form-encoded (RFC 6749 2.3.1)', async () => {
    const { url, seen } = await endpoint(active())
    await makeAuth(url).verify(token)
    expect(seen.method).toBe('POST')
    expect(new URLSearchParams(seen.body)).toEqual(
      new URLSearchParams({ token, token_type_hint: 'access_token' }),
    )
    const [scheme, credentials] = seen.authorization!.split(' ')
    expect(scheme).toBe('Basic')
    expect(atob(credentials!)).toBe('api+client:the-client-secret%3A+with+spaces+%26+symbols')
  })

  it('builds the identity from the answer: sub, scope, aud, iss', async () => {
    const { url } = await endpoint(active({ roles: ['admin'] }))
    expect(await makeAuth(url).verify(token, { source: 'bearer' })).toMatchObject({
      subject: 'alice',
      issuer,
      audience: [audience],
      scopes: ['read', 'write'],
      roles: ['admin'],
      source: 'bearer',
    })
  })

  it('never sends a JWT there: those are verified locally', async () => {
    const { url, seen } = await endpoint(active())
    const jwt = await new SignJWT({ iss: issuer, aud: audience, sub: 'bob', exp: seconds() + 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret))
    expect((await makeAuth(url).verify(jwt)).subject).toBe('bob')
    expect(seen.hits).toBe(0)
  })
})

describe('hostile or broken endpoints fail closed', () => {
  const huge = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(`{"active":true,"pad":"${'x'.repeat(70_000)}"}`)
  }
  const chunked = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' })
    for (let i = 0; i < 20; i++) res.write('x'.repeat(4096))
    res.end()
  }
  it.each([
    [
      'a 500',
      (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(500).end('oops'),
      'HTTP 500',
    ],
    [
      'a redirect',
      (_req: IncomingMessage, res: ServerResponse) =>
        void res.writeHead(307, { location: 'http://127.0.0.1:1/' }).end(),
      'HTTP 307',
    ],
    [
      'non-JSON',
      (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(200).end('<html>'),
      'response is not JSON',
    ],
    ['a JSON array', json([{ active: true }]), 'response is not a JSON object'],
    ['no "active"', json({ sub: 'alice' }), 'response has no boolean "active"'],
    ['a string "active"', json({ active: 'true', sub: 'alice' }), 'response has no boolean "active"'],
    [
      'a member named twice',
      (_req: IncomingMessage, res: ServerResponse) =>
        void res.writeHead(200).end(`{"active":false,"sub":"alice","exp":${seconds() + 60},"active":true}`),
      'response names a member twice',
    ],
    ['a huge body', huge, 'response is larger than 65536 bytes'],
    ['a huge chunked body', chunked, 'response is larger than 65536 bytes'],
    ['no answer in time', () => {}, 'timed out'],
  ])('%s is a 503 introspection_unavailable', async (_name, answer, reason) => {
    const { url } = await endpoint(answer)
    const error = await makeAuth(url)
      .verify(token)
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'introspection_unavailable', status: 503 })
    expect((error as Error).message).toBe(`token introspection failed: ${reason}`)
    expect(JSON.stringify([(error as Error).message, (error as Error).cause])).not.toContain(token)
  })

  it('is a 503 when nothing listens, and the service keeps serving', async () => {
    const auth = makeAuth('http://127.0.0.1:1/introspect')
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'introspection_unavailable', status: 503 })
    const result = await auth.authenticate({ authorization: `Bearer ${token}` })
    expect(result).toMatchObject({ status: 'rejected', error: { status: 503 } })
  })

  it.each([
    ['no exp', { exp: undefined }, 'claim_invalid'],
    ['another issuer', { iss: 'https://evil.example/' }, 'claim_invalid'],
    ['another audience', { aud: 'https://other.example' }, 'claim_invalid'],
    ['an exp in the past', { exp: seconds() - 60 }, 'token_expired'],
    ['no sub and no client_id', { sub: undefined }, 'claim_invalid'],
  ])('rejects an active answer with %s as a 401 like a JWT claim', async (_name, claims, code) => {
    const { url } = await endpoint(active(claims))
    await expect(makeAuth(url).verify(token)).rejects.toMatchObject({ code, status: 401 })
  })

  it('answers active: false with token_inactive, 401, and asks again next time (rejections are not cached)', async () => {
    const { url, seen } = await endpoint(json({ active: false }))
    const auth = makeAuth(url)
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'token_inactive', status: 401 })
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'token_inactive' })
    expect(seen.hits).toBe(2)
  })
})

describe('the introspection cache', () => {
  it('reuses an active answer at most cacheMaxAge, then asks again', async () => {
    let now = Date.now()
    const { url, seen } = await endpoint(active())
    const events: AuthEvent[] = []
    const auth = makeAuth(url, { now: () => now, cacheMaxAge: '1m', onEvent: (event) => events.push(event) })
    await auth.verify(token)
    now += 59_000
    await auth.verify(token)
    expect(seen.hits).toBe(1)
    expect(events.map((event) => event.type === 'verified' && event.cached)).toEqual([false, true])
    now += 2_000
    await auth.verify(token)
    expect(seen.hits).toBe(2)
  })

  it('never serves a token past its exp, even within cacheMaxAge', async () => {
    let now = Date.now()
    const { url } = await endpoint(active({ exp: Math.floor(now / 1000) + 30 }))
    const auth = makeAuth(url, { now: () => now })
    await auth.verify(token)
    now += 40_000
    await expect(auth.verify(token)).rejects.toMatchObject({ code: 'token_expired', status: 401 })
  })

  it('is emptied by clear()', async () => {
    const { url, seen } = await endpoint(active())
    const auth = makeAuth(url)
    await auth.verify(token)
    auth.clear()
    await auth.verify(token)
    expect(seen.hits).toBe(2)
  })
})
