import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { functionName: string; url: string; lineNumber: number }
  readonly hitCount?: number
}

/** One function's share of the samples in a CPU profile. */
export interface Frame {
  readonly name: string
  readonly selfPercent: number
}

const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/.*\/packages\//, 'packages/')
    .replace(/.*\/bench\/dist\//, 'bench/')

/** Reads a `.cpuprofile` and returns the functions with the most self time. */
export async function topFrames(path: string, count: number): Promise<Frame[]> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as { nodes: ProfileNode[] }
  const self = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0
    const { functionName, url, lineNumber } = node.callFrame
    // Idle time is the main thread waiting (on WebCrypto's thread pool, or the network): not CPU spent here.
    if (functionName === '(idle)') continue
    total += hits
    const name = url
      ? `${functionName || '(anonymous)'} ${short(url)}:${lineNumber + 1}`
      : `${functionName || '(anonymous)'}`
    self.set(name, (self.get(name) ?? 0) + hits)
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, hits]) => ({ name, selfPercent: (100 * hits) / total }))
}

/**
 * Runs `script` (a file in bench/dist) with `args` under `node --cpu-prof` and returns its top frames.
 * The script must exit by itself.
 */
export async function profileScript(script: string, args: readonly string[], count = 12): Promise<Frame[]> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-prof-'))
  try {
    const file = fileURLToPath(new URL(script, import.meta.url))
    await promisify(execFile)(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, file, ...args], {
      timeout: 60_000,
    })
    const [profile] = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'))
    if (!profile) throw new Error(`no CPU profile was written for ${script}`)
    return await topFrames(join(dir, profile), count)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export function renderFrames(title: string, frames: readonly Frame[]): string {
  return [
    `Profile: ${title} (self time, top ${frames.length}):`,
    '',
    '```',
    ...frames.map((frame) => `${frame.selfPercent.toFixed(1).padStart(5)}%  ${frame.name}`),
    '```',
  ].join('\n')
}
