import { build } from 'esbuild'
import { audience, forge, issuer, secret, serve, sign, signingKey } from '../support/fixtures.js'
import type { CheckResult, Fixture } from './suite/fixture.js'

/** The names every runtime must report, so a runtime that skips a check fails the test. */
export const CHECKS = [
  'verifies ES256 from a local key set',
  'verifies ES256 from a JWKS over loopback',
  'verifies RS256 from a local key set',
  'verifies RS256 from a JWKS over loopback',
  'verifies EdDSA from a local key set',
  'verifies EdDSA from a JWKS over loopback',
  'verifies HS256 with a shared secret',
  'rejects a tampered token',
  'rejects an expired token',
  'rejects alg "none"',
  'authenticates a Request end to end',
  'issues, verifies, refreshes and revokes a signed cookie session',
  'issues, verifies, refreshes and revokes a sealed cookie session',
  'signs sessions with a WebCrypto Ed25519 key pair and publishes its JWKS',
  "configures sessions from the runtime's environment",
  'answers 200/401/403 from a tRPC fetch-adapter router',
  'answers 200/401/403 from a GraphQL Yoga server',
]

/**
 * Signs the suite's tokens in this (Node) process and serves its JWKS, and the fixture itself, on
 * loopback; the servers close when the test ends.
 */
export async function serveFixture(): Promise<{ fixture: Fixture; fixtureUrl: string }> {
  const [es, rs, ed] = await Promise.all([signingKey('ES256'), signingKey('RS256'), signingKey('EdDSA')])
  const claims = { roles: ['reader'] }
  const valid = await sign(es, claims)
  const parts = valid.split('.')
  const signature = parts[2]!
  parts[2] = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`
  let fixture: Fixture | undefined
  const server = await serve((request, response) => {
    response.setHeader('content-type', 'application/json')
    response.end(
      JSON.stringify(
        request.url === '/fixture' ? fixture : { keys: [es, rs, ed].map((key) => key.publicJwk) },
      ),
    )
  })
  fixture = {
    issuer,
    audience,
    jwksUrl: `${server.url}/jwks`,
    publicKeys: [es, rs, ed].map((key) => key.publicJwk),
    secret,
    valid: { ES256: valid, RS256: await sign(rs, claims), EdDSA: await sign(ed, claims) },
    hs256: await sign(secret, claims),
    tampered: parts.join('.'),
    expired: await sign(es, claims, {}, Date.now() - 3_600_000),
    env: { PORTCULLIS_SESSION_SECRET: secret, PORTCULLIS_SESSION_ISSUER: 'https://api.example.com' },
    none: forge(
      { alg: 'none' },
      { iss: issuer, aud: audience, sub: 'alice', exp: Math.floor(Date.now() / 1000) + 300 },
      { signature: '' },
    ),
  }
  return { fixture, fixtureUrl: `${server.url}/fixture` }
}

/**
 * Bundles a suite entry as a user's bundler would for `conditions`: platform "neutral", so any
 * `node:` import (or other Node built-in) fails the build instead of failing at run time.
 */
export async function bundle(
  entry: 'worker' | 'cli' | 'suite' | 'edge',
  options: { conditions: string[]; format?: 'esm' | 'iife' },
): Promise<string> {
  const result = await build({
    entryPoints: [new URL(`./suite/${entry}.ts`, import.meta.url).pathname],
    bundle: true,
    write: false,
    platform: 'neutral',
    format: options.format ?? 'esm',
    globalName: options.format === 'iife' ? 'portcullisSuite' : undefined,
    target: 'es2022',
    conditions: options.conditions,
    mainFields: ['browser', 'module', 'main'],
    // graphql ships .mjs beside CommonJS .js: take ESM throughout, so there is one graphql instance.
    resolveExtensions: ['.ts', '.mjs', '.js', '.json'],
    // As a user's bundler does; graphql reads it, and on Deno that would need --allow-env.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

/** Fails with every check that did not pass, and with any check a runtime did not report. */
export function assertAllPassed(results: readonly CheckResult[]): void {
  const failed = results.filter((result) => !result.ok)
  if (failed.length > 0)
    throw new Error(failed.map((result) => `${result.name}: ${result.detail}`).join('\n\n'))
  const names = results.map((result) => result.name)
  const missing = CHECKS.filter((name) => !names.includes(name))
  if (missing.length > 0) throw new Error(`not reported: ${missing.join(', ')}`)
}
