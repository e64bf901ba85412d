import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createAuth } from '@portcullis/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_AUDIENCE } from '../src/issuer.js'
import { createDemoServer, type DemoServer } from '../src/server.js'

const run = promisify(execFile)
const cli = fileURLToPath(new URL('../bin/portcullis.js', import.meta.url))

let demo: DemoServer
let dir: string
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-demo-'))
  const keyFile = join(dir, 'dev-keys.json')
  demo = await createDemoServer({ port: 0, keyFile })
  const { hostname, port } = new URL(demo.url)
  env = { ...process.env, PORTCULLIS_KEY_FILE: keyFile, HOST: hostname, PORT: port }
})

afterAll(async () => {
  await demo?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** Runs `pnpm portcullis ...` (the bin it points to); resolves with exit code and output, never rejects. */
async function portcullis(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env, timeout: 15_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

const trpc = (path: string, token?: string) =>
  fetch(`${demo.url}/trpc/${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })

describe('the demo server', () => {
  it('is an OIDC issuer whose keys an API finds by discovery', async () => {
    const discovery = await (await fetch(`${demo.url}/.well-known/openid-configuration`)).json()
    expect(discovery).toMatchObject({ issuer: demo.url, jwks_uri: `${demo.url}/.well-known/jwks.json` })
    const { stdout } = await portcullis('token', '--sub', 'bob')
    const auth = createAuth({ issuer: demo.url, audience: DEMO_AUDIENCE })
    await expect(auth.verify(stdout.trim())).resolves.toMatchObject({
      subject: 'bob',
      scopes: ['read:reports'],
    })
  })

  it('accepts a token from `portcullis token` as a bearer on both APIs, with its scopes and roles', async () => {
    const bob = (await portcullis('token', '--sub', 'bob')).stdout.trim()
    expect((await trpc('reports.list', bob)).status).toBe(200)
    const admin = await trpc('admin.stats', bob)
    expect(admin.status).toBe(403)
    expect(admin.headers.get('www-authenticate')).toContain('insufficient_scope')
    const graphql = await fetch(`${demo.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bob}` },
      body: JSON.stringify({ query: '{ reports { title } }' }),
    })
    expect(graphql.status).toBe(200)
    expect(await graphql.json()).toMatchObject({
      data: { reports: [{ title: 'Q3 revenue' }, expect.anything()] },
    })
  })

  it('answers a bad bearer token with 401 and a WWW-Authenticate challenge, on a public procedure too', async () => {
    const response = await trpc('hello', 'not.a.token')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_(request|token)"/)
  })

  it('mints panel tokens only for a logged-in session', async () => {
    const response = await fetch(`${demo.url}/token`, { method: 'POST' })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ error: 'token_missing' })
  })
})

describe('portcullis inspect', () => {
  it('accepts a fresh demo token, check by check, with the keys found by discovery', async () => {
    const token = (await portcullis('token', '--sub', 'alice')).stdout.trim()
    const { code, stdout } = await portcullis('inspect', token, '--scope', 'write:reports', '--role', 'admin')
    expect(stdout).toContain(`from ${demo.url}/.well-known/jwks.json`)
    expect(stdout).toContain('✓ alg ES256 is allowed')
    expect(stdout).toContain('✓ signature is valid')
    expect(stdout).toContain('ACCEPTED: subject "alice"')
    expect(code).toBe(0)
  })

  it('says why a config rejects a token, and exits 1', async () => {
    const token = (await portcullis('token', '--sub', 'bob')).stdout.trim()
    const { code, stdout } = await portcullis('inspect', token, '--audience', 'https://api.example.com')
    expect(stdout).toContain('✗ aud "urn:portcullis:demo" does not include "https://api.example.com"')
    expect(stdout).toContain('REJECTED: claim_invalid (HTTP 401)')
    expect(code).toBe(1)
  })
})
