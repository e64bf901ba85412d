import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'

const root = fileURLToPath(new URL('../../..', import.meta.url))

/** Kills the whole process group: pnpm, the filtered pnpm, tsx and node. */
function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  try {
    process.kill(-child.pid!, 'SIGTERM')
  } catch {
    return Promise.resolve()
  }
  const force = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {}
  }, 3000)
  return exited.finally(() => clearTimeout(force))
}

/** Resolves with the first URL the process prints, or rejects after `ms` or when it exits. */
function printedUrl(child: ChildProcess, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`no URL printed within ${ms} ms:\n${output}`)), ms)
    const onData = (chunk: Buffer) => {
      output += chunk
      const url = /running at (http:\/\/\S+)/.exec(output)?.[1]
      if (url) {
        clearTimeout(timer)
        resolve(url)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before printing a URL:\n${output}`))
    })
  })
}

describe("the README's demo command", () => {
  it('is `pnpm start` after installing, and it reaches a running server', async () => {
    const readme = await readFile(`${root}/README.md`, 'utf8')
    const command = /```sh\n([^\n]*pnpm start[^\n]*)\n/.exec(readme)?.[1]
    expect(command).toMatch(/pnpm install && pnpm start/)

    const child = spawn('pnpm', ['start'], {
      cwd: root,
      env: { ...process.env, PORT: '0' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    onTestFinished(() => killGroup(child))
    const url = await printedUrl(child, 15_000)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

    const page = await fetch(url, { signal: AbortSignal.timeout(5000) })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Portcullis demo')
    const discovery = await fetch(`${url}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5000),
    })
    expect(await discovery.json()).toMatchObject({ issuer: url, jwks_uri: `${url}/.well-known/jwks.json` })
  }, 30_000)
})
