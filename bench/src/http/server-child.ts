// Starts one benchmark server on 127.0.0.1, port 0, and tells the parent its port over IPC.
// The parent sends 'stop' to close it; exiting also flushes a --cpu-prof profile.
import type { AddressInfo } from 'node:net'
import type { ServerKeys } from './peers.js'
import { SCENARIOS } from './scenarios.js'

const name = process.argv[2]
const scenario = SCENARIOS.find((item) => item.name === name)
if (!scenario) throw new Error(`unknown scenario "${name}"`)
const keys = JSON.parse(process.env.PORTCULLIS_BENCH_KEYS ?? '') as ServerKeys
const server = await scenario.create(keys)
server.keepAliveTimeout = 30_000
server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.address() as AddressInfo).port })
})
process.on('message', (message) => {
  // CPU time this process has used, in microseconds: requests per CPU-second do not depend on
  // what else the machine is running, unlike requests per wall-clock second.
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage()
    process.send!({ cpu: user + system })
    return
  }
  // A young-generation GC between slots (the parent asks outside its timed region); a no-op without
  // --expose-gc, which every bench server gets.
  if (message === 'gc') {
    ;(globalThis as { gc?: (options: { type: 'minor' }) => void }).gc?.({ type: 'minor' })
    process.send!({ gc: true })
    return
  }
  if (message !== 'stop') return
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
process.on('disconnect', () => process.exit(0))
