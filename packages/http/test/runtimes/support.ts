import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { CheckResult } from './suite/suite.js'

/** The names every runtime must report, so a runtime that skips a check fails the test. */
export const CHECKS = [
  'hono: an anonymous request reaches a public route with a null identity',
  'hono: a valid bearer passes the scope guard',
  'hono: no credentials on a guarded route is 401 with a Bearer challenge',
  'hono: a missing scope is 403 insufficient_scope',
  'hono: an expired token is 401 invalid_token',
  'hono: two Authorization headers are token_ambiguous',
  'hono: a session past its access cookie is refreshed and Set-Cookie reaches the client',
  'next withAuth: a NextRequest with a valid bearer reaches the handler with its identity',
  'next withAuth: 401 without credentials, 403 without the scope',
  'next authMiddleware: a non-admin is 403 forbidden, an admin goes on',
  'next authMiddleware: a refresh sends Set-Cookie and hands the route the new cookies',
]

const coreSource = fileURLToPath(new URL('../../../core/src/index.ts', import.meta.url))

/**
 * Bundles a suite entry as a user's bundler would for `conditions`, with core from its sources (as
 * the tests use it): platform "neutral", so any Node built-in that `hono`, `next/server`, this
 * package or core imports fails the build instead of failing at run time.
 */
export async function bundle(
  entry: 'edge' | 'worker' | 'cli',
  options: { conditions: string[]; format: 'esm' | 'iife' },
): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`./suite/${entry}.ts`, import.meta.url))],
    bundle: true,
    write: false,
    platform: 'neutral',
    format: options.format,
    target: 'es2022',
    conditions: options.conditions,
    mainFields: ['browser', 'module', 'main'],
    resolveExtensions: ['.ts', '.mjs', '.js', '.json'],
    // What Next's own edge build defines, and only that: next/server reads `process.env.NEXT_RUNTIME`
    // and a config flag (inlined by Next's compiler), and its bundled ua-parser-js reads `__dirname`
    // (webpack mocks it as "/"). Nothing is shimmed at run time.
    define: {
      'process.env.NODE_ENV': '"production"',
      'process.env.NEXT_RUNTIME': '"edge"',
      'process.env.__NEXT_NO_MIDDLEWARE_URL_NORMALIZE': 'undefined',
      __dirname: '"/"',
    },
    plugins: [
      {
        name: 'core-from-source',
        setup(esbuild) {
          esbuild.onResolve({ filter: /^@portcullis\/core$/ }, () => ({ path: coreSource }))
        },
      },
    ],
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
