// Verifies many distinct tokens and reports heap use; run by memory.ts with --expose-gc.
// Usage: node --expose-gc dist/memory-child.js <count> <max>
import { createHmac } from 'node:crypto'
import { createAuth } from '@portcullis/core'
import { AUDIENCE, ISSUER } from './tokens.js'

export interface MemoryReport {
  readonly count: number
  readonly max: number
  readonly heapBase: number
  readonly heapFull: number
  readonly heapAfter: number
  readonly entries: number
  readonly oldestEvicted: boolean
  readonly tokenBytes: number
}

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')
const count = Number(process.argv[2] ?? 100_000)
const max = Number(process.argv[3] ?? 10_000)
const secret = Buffer.alloc(32, 7)
const now = Math.floor(Date.now() / 1000)
const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')

/** Token `i`, the same every time it is asked for; signed with node:crypto so setup stays fast. */
function token(i: number): string {
  const payload = Buffer.from(
    JSON.stringify({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: `user-${i}`,
      sid: `session-${i}`,
      scope: 'read:reports write:reports',
      roles: ['reader'],
      iat: now,
      exp: now + 3600,
    }),
  ).toString('base64url')
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url')
  return `${header}.${payload}.${signature}`
}

let lastCached = false
const auth = createAuth({
  issuer: ISSUER,
  audience: AUDIENCE,
  secret,
  cache: { max },
  onEvent: (event) => {
    if (event.type === 'verified') lastCached = event.cached
  },
})

async function verifyRange(from: number, to: number): Promise<void> {
  const batch = 64
  for (let start = from; start < to; start += batch) {
    const end = Math.min(start + batch, to)
    const pending: Promise<unknown>[] = []
    for (let i = start; i < end; i++) pending.push(auth.verify(token(i)))
    await Promise.all(pending)
  }
}

function heap(): number {
  for (let i = 0; i < 4; i++) gc!()
  return process.memoryUsage().heapUsed
}

// Warm up the code paths on tokens outside the measured range, then forget them.
await verifyRange(count, count + 200)
auth.clear()
const heapBase = heap()
await verifyRange(0, max)
const heapFull = heap()
await verifyRange(max, count)
const heapAfter = heap()

// Count the entries through the public API: walk from the newest token back; each hit is an entry.
// The cache drops oldest-first and hits do not reorder it, so the hits end at the first miss.
let entries = 0
for (let i = count - 1; i >= 0; i--) {
  await auth.verify(token(i))
  if (!lastCached) break
  entries++
}
await auth.verify(token(0))
const oldestEvicted = !lastCached

const report: MemoryReport = {
  count,
  max,
  heapBase,
  heapFull,
  heapAfter,
  entries,
  oldestEvicted,
  tokenBytes: token(0).length,
}
process.send!(report)
