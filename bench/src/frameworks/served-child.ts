// Serves one framework's app (argv: framework, variant) on 127.0.0.1 port 0, and tells the parent its
// port over IPC; answers 'cpu' with this process's CPU time, 'gc' with a young-generation GC, and closes on 'stop', as
// `http/server-child.ts` does for section 2.
import { type ServedFramework, type ServedVariant, serveFramework } from './served-apps.js'

const [framework, variant] = process.argv.slice(2) as [ServedFramework, ServedVariant]
const secret = Uint8Array.from(Buffer.from(process.env.PORTCULLIS_BENCH_SECRET ?? '', 'hex'))
const nextDir = process.env.PORTCULLIS_BENCH_NEXT_DIR || undefined
const server = await serveFramework(framework, variant, { secret, ...(nextDir ? { nextDir } : {}) })
process.send!({ port: server.port })
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage()
    process.send!({ cpu: user + system })
    return
  }
  // A young-generation GC between slots (asked outside the timed region); a no-op without --expose-gc.
  if (message === 'gc') {
    ;(globalThis as { gc?: (options: { type: 'minor' }) => void }).gc?.({ type: 'minor' })
    process.send!({ gc: true })
    return
  }
  if (message === 'stop') void server.close().then(() => process.exit(0))
})
process.on('disconnect', () => process.exit(0))
