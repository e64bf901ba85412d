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
  readonly children?: readonly number[]
}

/** One function's share of the samples in a CPU profile. */
export interface Frame {
  readonly name: string
  readonly selfPercent: number
  /** Samples with this function anywhere on the stack. */
  readonly totalPercent: number
}

const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/.*\/packages\//, 'packages/')
    .replace(/.*\/bench\/dist\//, 'bench/')

const frameName = ({ functionName, url, lineNumber }: ProfileNode['callFrame']) =>
  url ? `${functionName || '(anonymous)'} ${short(url)}:${lineNumber + 1}` : functionName || '(anonymous)'

/**
 * Reads a `.cpuprofile` and returns the functions with the most self time, plus those matching
 * `focus` (for example `packages/`) by total time, so the cost of one library's calls shows whole.
 */
export async function topFrames(path: string, count: number, focus?: string): Promise<Frame[]> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as { nodes: ProfileNode[] }
  const parent = new Map<number, ProfileNode>()
  const byId = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]))
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node)
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0
    // Idle time is the main thread waiting (on WebCrypto's thread pool, or the network): not CPU spent here.
    if (hits === 0 || node.callFrame.functionName === '(idle)') continue
    total += hits
    const name = frameName(node.callFrame)
    self.set(name, (self.get(name) ?? 0) + hits)
    const seen = new Set<string>()
    for (let at: ProfileNode | undefined = byId.get(node.id); at; at = parent.get(at.id)) {
      const frame = frameName(at.callFrame)
      if (seen.has(frame)) continue
      seen.add(frame)
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + hits)
    }
  }
  const frame = (name: string): Frame => ({
    name,
    selfPercent: (100 * (self.get(name) ?? 0)) / total,
    totalPercent: (100 * (inclusive.get(name) ?? 0)) / total,
  })
  const top = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name]) => frame(name))
  if (!focus) return top
  const focused = [...inclusive]
    .filter(([name]) => name.includes(focus) && !top.some((item) => item.name === name))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name]) => frame(name))
  return [...top, ...focused]
}

/**
 * Runs `script` (a file in bench/dist) with `args` under `node --cpu-prof` and returns its top frames.
 * The script must exit by itself.
 */
export async function profileScript(
  script: string,
  args: readonly string[],
  count = 12,
  focus?: string,
): Promise<Frame[]> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-prof-'))
  try {
    const file = fileURLToPath(new URL(script, import.meta.url))
    await promisify(execFile)(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, file, ...args], {
      timeout: 60_000,
    })
    const [profile] = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'))
    if (!profile) throw new Error(`no CPU profile was written for ${script}`)
    return await topFrames(join(dir, profile), count, focus)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export function renderFrames(title: string, frames: readonly Frame[]): string {
  const percent = (value: number) => `${value.toFixed(1).padStart(5)}%`
  return [
    `Profile: ${title} (share of non-idle CPU samples):`,
    '',
    '```',
    '  self  total  function',
    ...frames.map((frame) => `${percent(frame.selfPercent)} ${percent(frame.totalPercent)}  ${frame.name}`),
    '```',
  ].join('\n')
}
