// A user's project outside the workspace: npm installs the packed tarballs and what the README adds.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// What any TypeScript user adds to a project; the versions are the ones the workspace tests with.
const TOOLING = ['typescript@~5.9.3', '@types/node@^20']

// Bounds on each child: a hung registry or compiler fails the step instead of hanging CI.
const NPM_TIMEOUT = 300_000
const TSC_TIMEOUT = 300_000

const STRICT = {
  strict: true,
  target: 'ES2022',
  lib: ['ES2023'],
  types: ['node'],
  skipLibCheck: false,
  noEmit: true,
  isolatedModules: true,
  verbatimModuleSyntax: true,
}

/**
 * Creates `dir` as an ESM project and `npm install`s `dependencies` (names, or paths of tarballs) into it,
 * with TypeScript, `@types/node`, and two tsconfigs: `nodenext` and `bundler` module resolution.
 *
 * @example
 * createProject('/tmp/p/trpc', ['/tmp/p/tarballs/portcullis-trpc-0.1.0.tgz', 'zod'])
 */
export function createProject(dir: string, dependencies: string[]): void {
  mkdirSync(join(dir, 'src'), { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'a-user-project', private: true, type: 'module' }, null, 2)}\n`,
  )
  const compilerOptions = { ...STRICT, module: 'NodeNext', moduleResolution: 'NodeNext' }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2))
  const bundler = { ...STRICT, module: 'ESNext', moduleResolution: 'bundler' }
  writeFileSync(
    join(dir, 'tsconfig.bundler.json'),
    JSON.stringify({ compilerOptions: bundler, include: ['src'] }, null, 2),
  )
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...dependencies, ...TOOLING],
    { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], timeout: NPM_TIMEOUT },
  )
}

/**
 * Every copy of package `name` under `dir/node_modules`, nested ones included (where npm puts a second
 * version), as directories.
 *
 * @example
 * copiesOf('/tmp/p/trpc', '@portcullis/core') // ['/tmp/p/trpc/node_modules/@portcullis/core']
 */
export function copiesOf(dir: string, name: string): string[] {
  const found: string[] = []
  const walk = (modules: string, depth: number): void => {
    if (depth > 8 || !existsSync(modules)) return
    if (existsSync(join(modules, name, 'package.json'))) found.push(join(modules, name))
    for (const entry of readdirSync(modules)) {
      const scoped = entry.startsWith('@')
        ? readdirSync(join(modules, entry)).map((n) => `${entry}/${n}`)
        : [entry]
      for (const pkg of scoped) walk(join(modules, pkg, 'node_modules'), depth + 1)
    }
  }
  walk(join(dir, 'node_modules'), 0)
  return found
}

/**
 * The file `specifier` resolves to from inside installed package `from` (or from the project itself),
 * symlinks followed, so two answers are equal exactly when both load one module instance.
 *
 * @example
 * resolvedFrom('/tmp/p/trpc', '@portcullis/core', '@portcullis/trpc') === resolvedFrom('/tmp/p/trpc', '@portcullis/core')
 */
export function resolvedFrom(dir: string, specifier: string, from?: string): string {
  const base = from ? join(dir, 'node_modules', from, 'package.json') : join(dir, 'package.json')
  // Asked of a plain node in the project: the harness runs under tsx, whose resolver applies the
  // workspace's tsconfig paths (which map @portcullis/* to the sources).
  const script = `const { createRequire } = require('node:module'); const { realpathSync } = require('node:fs');
    process.stdout.write(realpathSync(createRequire(process.argv[1]).resolve(process.argv[2])))`
  return execFileSync(process.execPath, ['-e', script, base, specifier], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
  })
}

/**
 * Type-checks the project with `tsc --noEmit -p <tsconfig>` and libraries' declarations checked too
 * (`skipLibCheck: false`), and throws on any error in the project's own code or in `@portcullis/*`
 * declarations. Errors inside other libraries' declarations (graphql-yoga and lru-cache need newer
 * `lib`s than ES2023) are theirs: they are only counted, and the count returned.
 *
 * @example
 * typecheck('/tmp/p/trpc', 'tsconfig.bundler.json') // 0
 */
export function typecheck(dir: string, tsconfig: string): number {
  let output = ''
  try {
    execFileSync(join(dir, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', tsconfig], {
      cwd: dir,
      encoding: 'utf8',
      timeout: TSC_TIMEOUT,
    })
  } catch (error) {
    output = failureOutput(error)
    // Killed, or failed without a single diagnostic (a crash): that is a failure too, never a pass.
    if ((error as { signal?: string }).signal || !/error TS\d+/.test(output))
      throw new Error(`tsc --noEmit -p ${tsconfig} did not finish:\n${output}`)
  }
  const errors = output.split('\n').filter((line) => /error TS\d+/.test(line))
  const theirs = errors.filter(
    (line) => line.startsWith('node_modules/') && !line.startsWith('node_modules/@portcullis/'),
  )
  const ours = errors.filter((line) => !theirs.includes(line))
  if (ours.length) throw new Error(`tsc --noEmit -p ${tsconfig}:\n${ours.join('\n')}`)
  return theirs.length
}

/**
 * Runs a binary of the project (`tsc`) and returns its output; throws with that output when it fails.
 *
 * @example
 * bin('/tmp/p/trpc', 'tsc', ['-p', 'tsconfig.json', '--noEmit', 'false', '--outDir', 'out'])
 */
export function bin(dir: string, name: string, args: string[]): string {
  try {
    return execFileSync(join(dir, 'node_modules', '.bin', name), args, {
      cwd: dir,
      encoding: 'utf8',
      timeout: TSC_TIMEOUT,
    })
  } catch (error) {
    throw new Error(`${name} ${args.join(' ')} failed:\n${failureOutput(error)}`)
  }
}

function failureOutput(error: unknown): string {
  const { stdout, stderr } = error as { stdout?: string; stderr?: string }
  return `${stdout ?? ''}${stderr ?? ''}`
}

/**
 * What is wrong with an installed package's files as published: a missing LICENSE or README, or a
 * source map that points at sources it does not carry (`sourcesContent`), since `src/` is not shipped.
 *
 * @example
 * publishedProblems('/tmp/p/trpc/node_modules/@portcullis/trpc') // []
 */
export function publishedProblems(pkg: string): string[] {
  const problems: string[] = []
  for (const file of ['LICENSE', 'README.md', 'package.json'])
    if (!existsSync(join(pkg, file))) problems.push(`${file} is not in the package`)
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.map')) {
        const map = JSON.parse(readFileSync(path, 'utf8')) as {
          sources: string[]
          sourcesContent?: unknown[]
        }
        if (map.sourcesContent?.length !== map.sources.length) problems.push(`${path} has no sourcesContent`)
      }
    }
  }
  if (existsSync(join(pkg, 'dist'))) walk(join(pkg, 'dist'))
  return problems
}
