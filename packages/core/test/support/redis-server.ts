import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect, createServer } from 'node:net'

/** A real `redis-server` on a random loopback port, with no persistence. */
export interface RedisServer {
  readonly port: number
  /** The process id of the running server. */
  readonly pid: number
  /** Stops the process with SIGSTOP: it holds every connection open and answers nothing. */
  freeze(): void
  /** Lets a frozen process run again (SIGCONT); it then answers what it was sent meanwhile. */
  thaw(): void
  /** Kills the server (SIGKILL: an outage, not a shutdown). Its data is gone. */
  kill(): Promise<void>
  /** Starts it again on the same port. */
  restart(): Promise<void>
  /** Stops it for good. */
  stop(): Promise<void>
}

function redisBinary(): string {
  try {
    return execFileSync('which', ['redis-server'], { encoding: 'utf8' }).trim()
  } catch {
    throw new Error(
      'redis-server is not installed: these tests need a real Redis (apt-get install -y redis-server; .ci/run does it)',
    )
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}

async function launch(binary: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: 'ignore' },
  )
  // Ready when it answers a TCP connection; bounded to 5 s.
  const deadline = Date.now() + 5000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`)
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' })
      socket.once('connect', () => {
        socket.end()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return child
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`redis-server did not start on port ${port}`)
    }
    await new Promise((done) => setTimeout(done, 20))
  }
}

async function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill(signal)
  await exited
}

/** Starts a redis-server for a test file; stop it in `afterAll`. */
export async function startRedis(): Promise<RedisServer> {
  const binary = redisBinary()
  const port = await freePort()
  let child = await launch(binary, port)
  return {
    port,
    get pid() {
      return child.pid!
    },
    freeze: () => process.kill(child.pid!, 'SIGSTOP'),
    thaw: () => process.kill(child.pid!, 'SIGCONT'),
    kill: () => killed(child, 'SIGKILL'),
    async restart() {
      await killed(child, 'SIGKILL')
      child = await launch(binary, port)
    },
    async stop() {
      // A frozen process ignores SIGTERM until it runs again.
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGCONT')
      await killed(child, 'SIGTERM')
    },
  }
}
