import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { onTestFinished } from 'vitest'

const require = createRequire(import.meta.url)

/** The binary an npm package ships (`bun`, `deno`), or undefined when its install did not place one. */
export function packagedBinary(name: 'bun' | 'deno'): string | undefined {
  const root = dirname(require.resolve(`${name}/package.json`))
  const file = name === 'bun' ? join(root, 'bin', 'bun.exe') : join(root, 'deno')
  return existsSync(file) ? file : undefined
}

/** A temporary folder, removed when the test ends. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `portcullis-${prefix}-`))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Writes `code` to `<dir>/<name>` and returns the path. */
export async function writeBundle(dir: string, name: string, code: string): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, code)
  return file
}

/**
 * Runs a child process to completion within `timeout` ms (killed past it) and returns its stdout;
 * rejects with its stderr when it fails.
 */
export function run(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string>; timeout?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 45_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(stdout)
      else reject(new Error(`${command} exited with ${signal ?? code}: ${stderr.slice(-2000)}`))
    })
  })
}
