import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { serverCommand, serverEnv } from '../pinning.js'

/** A bench server in a process of its own, as its parent sees it. */
export interface ChildServer {
  /** The loopback port it listens on. */
  readonly port: number
  /** CPU time the process has used so far, in microseconds. */
  cpu(): Promise<number>
  /** A young-generation GC in the process (between slots, outside the timed region). */
  settle(): Promise<void>
  /** Asks it to close, and kills it after 5 s if it has not exited. */
  stop(): Promise<void>
}

/**
 * Starts `script` (a module that calls {@link answerParent} once it listens) in a process of its own,
 * pinned to the servers' CPU where `pinning()` allows and with the V8 flags of every bench server, and
 * resolves once it has told its port.
 *
 * @example
 * const child = await startChild(new URL('./server-child.js', import.meta.url), ['Yoga bare'], {}, 'Yoga bare')
 */
export async function startChild(
  script: URL,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  name: string,
  execArgv: readonly string[] = [],
): Promise<ChildServer> {
  const [command, commandArgs] = serverCommand(execArgv, fileURLToPath(script), args)
  const child: ChildProcess = spawn(command, commandArgs, {
    env: { ...process.env, ...serverEnv(), ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = once(child, 'exit')
  const [message] = (await Promise.race([
    once(child, 'message'),
    exited.then(([code]) => {
      throw new Error(`${name} exited with code ${code} before listening`)
    }),
  ])) as [{ port: number }]
  return {
    port: message.port,
    async cpu() {
      const reply = once(child, 'message') as Promise<[{ cpu: number }]>
      child.send('cpu')
      return (await reply)[0].cpu
    },
    async settle() {
      const reply = once(child, 'message')
      child.send('gc')
      await reply
    },
    async stop() {
      if (child.exitCode !== null) return
      child.send('stop')
      const timer = setTimeout(() => child.kill(), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/**
 * The child's side of {@link startChild}: tells the parent `port`, then answers `'cpu'` with this
 * process's CPU time (requests per CPU-second do not depend on what else the machine runs), `'gc'`
 * with a young-generation GC (a no-op without `--expose-gc`, which every bench server gets), and
 * `'stop'` by closing (exiting also flushes a `--cpu-prof` profile); exits if the parent goes away.
 *
 * @example
 * answerParent(port, () => new Promise((done) => server.close(() => done())))
 */
export function answerParent(port: number, close: () => Promise<void>): void {
  process.send!({ port })
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send!({ cpu: user + system })
      return
    }
    if (message === 'gc') {
      ;(globalThis as { gc?: (options: { type: 'minor' }) => void }).gc?.({ type: 'minor' })
      process.send!({ gc: true })
      return
    }
    if (message === 'stop') void close().then(() => process.exit(0))
  })
  process.on('disconnect', () => process.exit(0))
}
