import { once } from 'node:events'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { audience, serve, sign, signingKey } from './support/fixtures.js'

// The "Operating it" recipe runs as pasted, against a loopback IdP found by discovery: only its issuer
// URL and port are swapped for the test's.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const section = readme.split('\n## Operating it')[1]!.split('\n## ')[0]!
const recipe = /```ts\n([\s\S]*?)```/.exec(section)![1]!
const dir = new URL('./.readme-operating-tmp/', import.meta.url)
mkdirSync(dir, { recursive: true })
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('README: Operating it', () => {
  it('answers /readyz 503 while the IdP is down, 200 once it is back, and serves tokens', async () => {
    const key = await signingKey('ES256')
    let up = false
    let issuer = ''
    const idp = await serve((request, response) => {
      if (!up) {
        response.statusCode = 503
        return response.end()
      }
      if (request.url === '/.well-known/openid-configuration')
        return response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }))
      response.end(JSON.stringify({ keys: [key.publicJwk] }))
    })
    issuer = idp.url
    expect(recipe).toContain("issuer: 'https://id.example.com'")
    const file = new URL('recipe.ts', dir)
    writeFileSync(file, recipe.replace('https://id.example.com', issuer))
    vi.stubEnv('PORT', '0')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { server } = (await import(/* @vite-ignore */ file.href)) as { server: Server }
    vi.unstubAllEnvs()
    try {
      if (!server.listening) await once(server, 'listening')
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('not ready yet: not ready:'))
      const down = await fetch(`${base}/readyz`)
      expect(down.status).toBe(503)
      expect(await down.json()).toMatchObject({ ready: false, issuers: [{ issuer, ready: false }] })
      expect((await fetch(`${base}/livez`)).status).toBe(200)
      up = true
      await new Promise((done) => setTimeout(done, 1100)) // the first retry delay after a failure
      const ready = await fetch(`${base}/readyz`)
      expect(ready.status).toBe(200)
      expect(await ready.json()).toMatchObject({ ready: true, issuers: [{ keys: 1, stale: false }] })
      const token = await sign(key, { iss: issuer, aud: audience })
      const hello = await fetch(`${base}/`, { headers: { authorization: `Bearer ${token}` } })
      expect(await hello.text()).toBe('hello alice')
    } finally {
      warn.mockRestore()
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
    }
  })
})
