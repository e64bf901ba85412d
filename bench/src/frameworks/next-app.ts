import { spawn } from 'node:child_process'
import { createHash, type Hash } from 'node:crypto'
import { once } from 'node:events'
import { access, mkdir, readdir, readFile, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

// The routes of the tiny app: the same JSON, bare, behind a pass-through wrapper (the floor) and
// behind `withAuth` with a scope guard.
// The secret comes from the environment at run time, so the build never holds key material.
const ROUTES: Readonly<Record<string, string>> = {
  'app/bare/route.js': [
    "export const dynamic = 'force-dynamic'",
    "export const GET = () => Response.json({ subject: 'alice' })",
  ].join('\n'),
  // A pass-through wrapper shaped like `withAuth`: a promise, the context spread with an identity.
  'app/floor/route.js': [
    "export const dynamic = 'force-dynamic'",
    'const wrap = (handler) => (request, context) => Promise.resolve(handler(request, { ...context, identity: null }))',
    "export const GET = wrap(() => Response.json({ subject: 'alice' }))",
  ].join('\n'),
  'app/reports/route.js': [
    "import { createAuth } from '@portcullis/core'",
    "import { withAuth } from '@portcullis/http/next'",
    "export const dynamic = 'force-dynamic'",
    'const auth = createAuth({',
    "  issuer: 'https://id.example.com/',",
    "  audience: 'https://api.example.com',",
    "  secret: Uint8Array.from(Buffer.from(process.env.PORTCULLIS_BENCH_SECRET ?? '', 'hex')),",
    '})',
    'export const GET = withAuth(auth, (_request, { identity }) => Response.json({ subject: identity.subject }), {',
    "  scopes: ['read:reports'],",
    '})',
  ].join('\n'),
  'next.config.mjs': 'export default { eslint: { ignoreDuringBuilds: true } }',
  'package.json': '{ "private": true, "type": "module" }',
}

/** The Next route each variant is served on. */
export const NEXT_PATHS = { bare: '/bare', floor: '/floor', protected: '/reports' } as const

const BUILD_TIMEOUT_MS = 180_000

/**
 * A production build of a three-route Next app (App Router route handlers), built into a folder under
 * the system's temp dir named by a hash of Next's version, the app's sources and the built `dist` of
 * `@portcullis/core` and `@portcullis/http` (Next bundles them into the route, as in a user's app),
 * and reused by later runs until one of them changes. Offline: Next's compiler is the installed
 * `@next/swc` binary. `env` is the build's environment too: Next evaluates each route once while
 * building. Resolves to the app's folder, ready for `next({ dir })` or `next start`.
 */
export async function builtNextApp(env: Readonly<Record<string, string>>): Promise<string> {
  const require = createRequire(import.meta.url)
  const nextPackage = require.resolve('next/package.json')
  const nextDir = await realpath(dirname(nextPackage))
  const version = (JSON.parse(await readFile(nextPackage, 'utf8')) as { version: string }).version
  const packages = {
    '@portcullis/core': await realpath(dirname(require.resolve('@portcullis/core/package.json'))),
    '@portcullis/http': await realpath(dirname(require.resolve('@portcullis/http/package.json'))),
  }
  const hash = createHash('sha256').update(version).update(JSON.stringify(ROUTES))
  for (const folder of Object.values(packages)) await hashFiles(hash, join(folder, 'dist'))
  const name = `portcullis-bench-next-${hash.digest('hex').slice(0, 16)}`
  const dir = join(tmpdir(), name)
  if (await exists(join(dir, '.next', 'BUILD_ID'))) return dir

  // Built beside the final folder and renamed into place, so a killed build never looks finished.
  const building = `${dir}.${process.pid}`
  await rm(building, { recursive: true, force: true })
  await mkdir(join(building, 'node_modules', '@portcullis'), { recursive: true })
  for (const [file, text] of Object.entries(ROUTES)) {
    await mkdir(dirname(join(building, file)), { recursive: true })
    await writeFile(join(building, file), `${text}\n`)
  }
  // Next, React (Next's peers, beside it in pnpm's store) and our packages, linked from the bench's.
  const links: Record<string, string> = {
    next: nextDir,
    react: join(dirname(nextDir), 'react'),
    'react-dom': join(dirname(nextDir), 'react-dom'),
    ...packages,
  }
  for (const [link, target] of Object.entries(links))
    await symlink(target, join(building, 'node_modules', link), 'dir')
  const child = spawn(process.execPath, [join(nextDir, 'dist', 'bin', 'next'), 'build', building], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk
  })
  const timer = setTimeout(() => child.kill(), BUILD_TIMEOUT_MS)
  const [code] = (await once(child, 'exit')) as [number | null]
  clearTimeout(timer)
  if (code !== 0) {
    await rm(building, { recursive: true, force: true })
    throw new Error(`next build of the bench app failed (exit ${code}):\n${output.slice(-2_000)}`)
  }
  await rm(dir, { recursive: true, force: true })
  await rename(building, dir)
  // Builds of older sources are never used again.
  for (const entry of await readdir(tmpdir()))
    if (/^portcullis-bench-next-[0-9a-f]{16}$/.test(entry) && entry !== name)
      await rm(join(tmpdir(), entry), { recursive: true, force: true })
  return dir
}

/** Feeds every file under `folder` (its path and contents, in a stable order) into `hash`. */
async function hashFiles(hash: Hash, folder: string): Promise<void> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
  for (const file of files) hash.update(file).update(await readFile(file))
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
