// Starts one benchmark server on 127.0.0.1, port 0, and answers its parent as every bench server
// does (`child.ts`): its port, its CPU time, a young-generation GC, and 'stop'.
import type { AddressInfo } from 'node:net'
import { answerParent } from './child.js'
import type { ServerKeys } from './peers.js'
import { SCENARIOS } from './scenarios.js'

const name = process.argv[2]
const scenario = SCENARIOS.find((item) => item.name === name)
if (!scenario) throw new Error(`unknown scenario "${name}"`)
const keys = JSON.parse(process.env.PORTCULLIS_BENCH_KEYS ?? '') as ServerKeys
const server = await scenario.create(keys)
server.keepAliveTimeout = 30_000
server.listen(0, '127.0.0.1', () => {
  answerParent((server.address() as AddressInfo).port, async () => {
    server.closeAllConnections()
    await new Promise<void>((done) => server.close(() => done()))
  })
})
