// Serves one framework's app (argv: framework, variant) on 127.0.0.1 port 0 and answers its parent
// as every bench server does (`http/child.ts`).
import { answerParent } from '../http/child.js'
import { type ServedFramework, type ServedVariant, serveFramework } from './served-apps.js'

const [framework, variant] = process.argv.slice(2) as [ServedFramework, ServedVariant]
const secret = Uint8Array.from(Buffer.from(process.env.PORTCULLIS_BENCH_SECRET ?? '', 'hex'))
const nextDir = process.env.PORTCULLIS_BENCH_NEXT_DIR || undefined
const server = await serveFramework(framework, variant, { secret, ...(nextDir ? { nextDir } : {}) })
answerParent(server.port, () => server.close())
