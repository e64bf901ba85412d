import { once } from 'node:events'
import { createServer } from 'node:http'
import { createAuth, createSessions } from '@portcullis/core'
import { describe, expect, it, onTestFinished } from 'vitest'
import { cookieHeader, manualClock } from '../support/sessions.js'

// The README quick start, on a real server: sign in, use, refresh, log out.
async function startApp() {
  const clock = manualClock()
  const sessions = createSessions({
    secret: 'a-session-secret-of-at-least-32-bytes',
    issuer: 'https://api.example.com',
    audience: 'https://api.example.com',
    now: clock.now,
  })
  const auth = createAuth({ sessions })

  const server = createServer(async (req, res) => {
    if (req.url === '/login' && req.method === 'POST') {
      // ...check the password first...
      const { setCookie } = await sessions.issue({ subject: 'alice', roles: ['admin'] })
      res.setHeader('set-cookie', setCookie).end('signed in')
      return
    }
    if (req.url === '/logout' && req.method === 'POST') {
      const { setCookie } = await sessions.logout(req)
      res.setHeader('set-cookie', setCookie).end('signed out')
      return
    }
    const result = await auth.authenticate(req)
    // A transparent refresh sets new cookies; an ended session clears them.
    if (result.setCookie) res.setHeader('set-cookie', result.setCookie)
    if (result.status === 'rejected') {
      res.setHeader('www-authenticate', result.error.wwwAuthenticate)
      res.writeHead(result.error.status).end(result.error.code)
      return
    }
    if (result.status === 'anonymous') {
      res.writeHead(401).end()
      return
    }
    res.end(`hello ${result.identity.subject}`)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  onTestFinished(() => new Promise<void>((done) => server.close(() => done())))
  const { port } = server.address() as { port: number }

  // A tiny browser: one cookie jar, applies every Set-Cookie.
  const jar = new Map<string, string>()
  const browser = async (path: string, method = 'GET') => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { cookie: cookieHeader([], jar) },
    })
    cookieHeader(response.headers.getSetCookie(), jar)
    return {
      status: response.status,
      body: await response.text(),
      setCookie: response.headers.getSetCookie(),
    }
  }
  return { browser, clock, jar }
}

describe('sessions over HTTP', () => {
  it('signs in, refreshes transparently, and logs out', async () => {
    const { browser, clock, jar } = await startApp()
    expect(await browser('/me')).toMatchObject({ status: 401 })
    expect(await browser('/login', 'POST')).toMatchObject({ status: 200 })
    expect([...jar.keys()]).toEqual(['__Host-session', '__Host-session-refresh'])
    expect(await browser('/me')).toMatchObject({ status: 200, body: 'hello alice', setCookie: [] })

    clock.advance(10 * 60_000) // the access token has expired; the refresh cookie has not
    const refreshed = await browser('/me')
    expect(refreshed).toMatchObject({ status: 200, body: 'hello alice' })
    expect(refreshed.setCookie).toHaveLength(2)

    const before = new Map(jar)
    expect(await browser('/logout', 'POST')).toMatchObject({ status: 200 })
    expect(jar.size).toBe(0)
    // A copy of the old cookies is worthless now.
    jar.clear()
    for (const [name, value] of before) jar.set(name, value)
    const replay = await browser('/me')
    expect(replay).toMatchObject({ status: 401, body: 'revoked' })
    expect(jar.size).toBe(0)
  })
})
