// The packages as users get them: `pnpm pack` every public packages/*, `npm install` each tarball with
// what its README's Install section adds into a fresh project outside the workspace, then type-check
// (strict; nodenext and bundler resolution) and run its README's quick start there. The root README's
// quick starts (examples/quick-starts/*.ts) run the same way in a project with every package.
//
//   pnpm packed-install [--no-build] [--keep]      (tsx scripts/packed-install.ts)
//
// --no-build uses the dist/ already built (CI builds first); --keep leaves the temporary projects.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { SignJWT } from 'jose'
import type { Probes, Sign } from './packed-install/probe.js'
import {
  bin,
  copiesOf,
  createProject,
  publishedProblems,
  resolvedFrom,
  typecheck,
} from './packed-install/project.js'
import { importedPackages, installed, section, tsBlocks } from './packed-install/readme.js'
import { start } from './packed-install/run.js'

interface Subject {
  name: string
  dir: string
  installs: string[]
  files: Array<{ name: string; code: string }>
  probe: string
}

const root = fileURLToPath(new URL('..', import.meta.url))
const args = new Set(process.argv.slice(2))
const started = Date.now()
const log = (message: string) =>
  console.log(`[packed-install ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`)

/** Test tokens for the probes, signed with the workspace's jose (a token is only a string). */
const sign: Sign = (claims, secret, { issuer, audience, subject }) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret))

// Every packages/* that is published (not private): new packages are picked up without editing this file.
const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir, path: join(root, 'packages', dir) }))
  .filter(({ path }) => existsSync(join(path, 'package.json')))
  .map((pkg) => ({ ...pkg, manifest: JSON.parse(readFileSync(join(pkg.path, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private)
log(`packages: ${packages.map(({ manifest }) => manifest.name).join(', ')}`)

if (!args.has('--no-build'))
  execFileSync('pnpm', ['build'], { cwd: root, stdio: 'inherit', timeout: 300_000 })

const tmp = mkdtempSync(join(tmpdir(), 'portcullis-packed-'))
if (!relative(root, tmp).startsWith('..')) throw new Error(`${tmp} is inside the workspace`)
const tarballs = new Map<string, string>()
for (const { path, manifest } of packages) {
  const out = execFileSync('pnpm', ['pack', '--pack-destination', join(tmp, 'tarballs')], {
    cwd: path,
    encoding: 'utf8',
    timeout: 120_000,
  })
  const tarball = out.trim().split('\n').at(-1)?.trim() ?? ''
  if (!tarball.endsWith('.tgz') || !existsSync(tarball)) throw new Error(`pnpm pack gave no tarball:\n${out}`)
  tarballs.set(manifest.name, tarball)
}
log(`packed into ${join(tmp, 'tarballs')}`)

/** What a user installs: our tarballs by name, everything else from the registry. */
const dependency = (name: string) => tarballs.get(name) ?? name

const subjects: Subject[] = packages.map(({ dir, path, manifest }) => {
  const readme = readFileSync(join(path, 'README.md'), 'utf8')
  return {
    name: `${manifest.name} README`,
    dir,
    installs: installed(section(readme, 'Install')),
    files: tsBlocks(section(readme, 'Quick start')).map((code, index) => ({
      name: `quick-start-${index}`,
      code,
    })),
    probe: join(root, 'scripts', 'packed-install', 'probes', `${dir}.ts`),
  }
})
// The root README's quick starts are the files of examples/quick-starts/src, with that package's dependencies.
const quickStarts = join(root, 'examples', 'quick-starts')
const quickStartsManifest = JSON.parse(readFileSync(join(quickStarts, 'package.json'), 'utf8'))
subjects.push({
  name: 'root README quick starts (examples/quick-starts)',
  dir: 'quick-starts',
  installs: Object.keys(quickStartsManifest.dependencies),
  files: readdirSync(join(quickStarts, 'src'))
    .filter((file) => file.endsWith('.ts'))
    .sort()
    .map((file) => ({
      name: basename(file, '.ts'),
      code: readFileSync(join(quickStarts, 'src', file), 'utf8'),
    })),
  probe: join(root, 'scripts', 'packed-install', 'probes', 'quick-starts.ts'),
})

const failures: string[] = []
for (const subject of subjects) {
  try {
    await check(subject)
    log(`ok: ${subject.name}`)
  } catch (error) {
    failures.push(subject.name)
    console.error(`\nFAILED: ${subject.name}\n${error instanceof Error ? error.message : error}\n`)
  }
}

if (args.has('--keep')) log(`kept ${tmp}`)
else rmSync(tmp, { recursive: true, force: true })
if (failures.length) {
  console.error(`packed-install: ${failures.length} failed: ${failures.join('; ')}`)
  process.exit(1)
}
log('all passed')

async function check({ name, dir, installs, files, probe }: Subject): Promise<void> {
  if (installs.length === 0) throw new Error('its Install section has no `pnpm add` line')
  if (files.length === 0) throw new Error('it has no ```ts quick start')
  for (const file of files)
    for (const pkg of importedPackages(file.code))
      if (!installs.includes(pkg))
        throw new Error(
          `${file.name} imports "${pkg}", which the install line (pnpm add ${installs.join(' ')}) lacks`,
        )

  const project = join(tmp, dir)
  log(`${name}: npm install ${installs.join(' ')}`)
  createProject(project, installs.map(dependency))

  const versions = installs.map((pkg) => {
    const manifest = join(project, 'node_modules', pkg, 'package.json')
    return `${pkg}@${JSON.parse(readFileSync(manifest, 'utf8')).version}`
  })
  log(`${name}: installed ${versions.join(' ')}`)

  for (const pkg of installs.filter((pkg) => tarballs.has(pkg))) {
    const problems = publishedProblems(join(project, 'node_modules', pkg))
    if (problems.length) throw new Error(`${pkg} as published:\n${problems.join('\n')}`)
  }

  // One @portcullis/core, which every adapter resolves too: instanceof AuthError holds across them.
  const cores = copiesOf(project, '@portcullis/core')
  if (cores.length !== 1)
    throw new Error(`expected one @portcullis/core, found ${cores.length}: ${cores.join(', ')}`)
  const core = resolvedFrom(project, '@portcullis/core')
  for (const other of installs.filter((pkg) => tarballs.has(pkg) && pkg !== '@portcullis/core'))
    if (resolvedFrom(project, '@portcullis/core', other) !== core)
      throw new Error(`${other} resolves a different @portcullis/core than the project`)

  for (const file of files) writeFileSync(join(project, 'src', `${file.name}.ts`), file.code)
  const theirs = typecheck(project, 'tsconfig.json') + typecheck(project, 'tsconfig.bundler.json')
  bin(project, 'tsc', ['-p', 'tsconfig.json', '--noEmit', 'false', '--noCheck', '--outDir', 'out'])
  log(
    `${name}: type-checks (strict; nodenext, bundler)${theirs ? `; ${theirs} errors in other libraries' .d.ts left aside` : ''}`,
  )

  const probes: Probes = existsSync(probe) ? await import(pathToFileURL(probe).href) : {}
  for (const file of files) {
    const run = await start(join(project, 'out', `${file.name}.js`), { cwd: project })
    try {
      if (run.url) {
        const response = await fetch(run.url)
        if (response.status >= 500) throw new Error(`${file.name}: GET / answered ${response.status}`)
      }
      await probes[file.name.replaceAll('-', '_')]?.({ ...run, sign })
      log(`${name}: ${file.name} runs${run.url ? ' and serves' : ''}`)
    } finally {
      await run.stop()
    }
  }
}
