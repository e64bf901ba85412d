// Runs one compiled quick start as its own Node process, the way a user would (`node quick-start.js`).
import { fork } from 'node:child_process'

const PRELOAD = new URL('./listen-port-0.mjs', import.meta.url).href

/** A started quick start: where it serves (servers only), what it printed, and how to stop it. */
export interface Started {
  url?: string
  output: () => string
  stop: () => Promise<void>
}

/**
 * Starts `file` with plain `node` and settles when it listens (a server) or exits (a script), whichever
 * comes first. A script must exit 0; a server is stopped by `stop()`. It gets `timeoutMs` to get there.
 *
 * @example
 * const started = await start('/tmp/p/out/quick-start-0.js', { cwd: '/tmp/p' })
 * await started.stop()
 */
export function start(file: string, options: { cwd: string; timeoutMs?: number }): Promise<Started> {
  const { cwd, timeoutMs = 30_000 } = options
  const child = fork(file, [], {
    cwd,
    execArgv: ['--import', PRELOAD],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  })
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  )
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    // A server that ignores SIGTERM (or is stuck) gets SIGKILL after 5 s, so stopping is bounded.
    const force = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(force)
  }
  return new Promise((resolve, reject) => {
    // A program stuck past its time is killed outright, and the promise settles only once it is gone:
    // rejecting first would leave the kill to a timer that dies with a test worker, and the process behind.
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
      void exited.then(() =>
        reject(new Error(`${file} neither listened nor exited in ${timeoutMs} ms:\n${output}`)),
      )
    }, timeoutMs)
    child.once('message', (message) => {
      clearTimeout(timer)
      const port = (message as { listening: number }).listening
      resolve({ url: `http://127.0.0.1:${port}`, output: () => output, stop })
    })
    // Settling twice is a no-op: after a timeout or a listen, a later exit changes nothing.
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL' && timedOut) return
      if (code === 0) resolve({ output: () => output, stop })
      else reject(new Error(`${file} exited with ${code ?? signal}:\n${output}`))
    })
  })
}
