/**
 * The cost of core's strict token JSON parse against `JSON.parse` alone, between two builds:
 * `node dist/ab-json.js <old core dist/internal/json.js> <new core dist/internal/json.js>`.
 * Cases alternate within each round (31 rounds of 50000 calls); the report is the median ns per call.
 */
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'

type ParseJsonObject = (bytes: Uint8Array, part: string) => Record<string, unknown>

const seconds = Math.floor(Date.now() / 1000)
const TEXTS = {
  header: JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'key-2026-01' }),
  payload: JSON.stringify({
    iss: 'https://id.example.com/',
    sub: 'auth0|5f7c8ec7c33c6c004bbafe82',
    aud: ['https://api.example.com', 'https://id.example.com/userinfo'],
    iat: seconds,
    exp: seconds + 3600,
    azp: 'abc123',
    scope: 'openid profile read:reports write:reports',
    realm_access: { roles: ['admin', 'user'] },
    'https://example.com/roles': ['finance'],
  }),
}
const ROUNDS = 31
const CALLS = 50_000

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!

async function main() {
  const [oldPath, newPath] = process.argv.slice(2)
  if (!oldPath || !newPath) throw new Error('usage: ab-json <old json.js> <new json.js>')
  const load = async (path: string) =>
    ((await import(pathToFileURL(path).href)) as { parseJsonObject: ParseJsonObject }).parseJsonObject
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  const runs: Record<string, ParseJsonObject> = {
    'JSON.parse alone': (bytes) => JSON.parse(decoder.decode(bytes)),
    old: await load(oldPath),
    new: await load(newPath),
  }
  for (const [name, text] of Object.entries(TEXTS)) {
    const bytes = new TextEncoder().encode(text)
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((key) => [key, []]))
    for (let round = 0; round < ROUNDS; round++)
      for (const [key, run] of Object.entries(runs)) {
        const started = performance.now()
        for (let i = 0; i < CALLS; i++) run(bytes, name)
        samples[key]!.push(((performance.now() - started) * 1e6) / CALLS)
      }
    const line = Object.entries(samples).map(([key, values]) => `${key} ${median(values).toFixed(0)} ns`)
    console.log(`${name} (${text.length} characters): ${line.join(', ')}`)
  }
}

await main()
