import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { start } from '../../../scripts/packed-install/run.js'

function program(code: string): { file: string; cwd: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'packed-install-run-'))
  onTestFinished(() => rmSync(cwd, { recursive: true, force: true }))
  const file = join(cwd, 'main.mjs')
  writeFileSync(file, code)
  return { file, cwd }
}

describe('running a quick start as its own process', () => {
  it('settles when a script exits 0, with what it printed', async () => {
    const { file, cwd } = program("console.log('hello alice')\n")
    const run = await start(file, { cwd })
    expect(run.url).toBeUndefined()
    expect(run.output()).toContain('hello alice')
  })

  it('fails when a script exits otherwise, with its output', async () => {
    const { file, cwd } = program("console.error('boom'); process.exit(3)\n")
    await expect(start(file, { cwd })).rejects.toThrow(/exited with 3:\nboom/)
  })

  it("serves a README's .listen(3000) on a free loopback port instead, and stops it", async () => {
    const code = `import { createServer } from 'node:http'
createServer((req, res) => res.end('port ' + req.socket.localPort)).listen(3000, () => console.log('up'))\n`
    const { file, cwd } = program(code)
    const run = await start(file, { cwd })
    onTestFinished(() => run.stop())
    expect(run.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const port = new URL(run.url!).port
    await expect((await fetch(run.url!)).text()).resolves.toBe(`port ${port}`)
    await run.stop()
    await expect(fetch(run.url!)).rejects.toThrow()
  })

  it('gives up on a program that neither listens nor exits, and kills it first', async () => {
    const { file, cwd } = program(
      "import { writeFileSync } from 'node:fs'\nwriteFileSync('pid', String(process.pid))\nprocess.on('SIGTERM', () => {}); setInterval(() => {}, 1000)\n",
    )
    await expect(start(file, { cwd, timeoutMs: 1000 })).rejects.toThrow(
      /neither listened nor exited in 1000 ms/,
    )
    // Gone by the time the promise settles, although it ignores SIGTERM: no process outlives the test.
    const pid = Number(readFileSync(join(cwd, 'pid'), 'utf8'))
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/)
  })
})
