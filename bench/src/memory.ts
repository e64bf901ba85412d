import { fork } from 'node:child_process'
import { once } from 'node:events'
import type { MemoryReport } from './memory-child.js'
import type { Section } from './report.js'
import { formatBytes } from './stats.js'

/** Heap growth allowed once the cache is full: anything more means it is not bounded. */
const GROWTH_ALLOWANCE = 0.1

/** Section 4: heap after `count` distinct tokens, in a fresh process with --expose-gc. */
export async function runMemory(count: number, max: number): Promise<Section> {
  const child = fork(new URL('./memory-child.js', import.meta.url), [String(count), String(max)], {
    execArgv: ['--expose-gc'],
    stdio: 'inherit',
  })
  const exited = once(child, 'exit')
  const [report] = (await Promise.race([
    once(child, 'message'),
    exited.then(([code]) => {
      throw new Error(`memory benchmark exited with code ${code}`)
    }),
  ])) as [MemoryReport]
  child.kill()
  await exited

  const cacheHeap = report.heapFull - report.heapBase
  const growth = report.heapAfter - report.heapFull
  const perEntry = cacheHeap / report.max
  const bounded = report.entries <= report.max && report.oldestEvicted
  const flat = growth <= cacheHeap * GROWTH_ALLOWANCE
  return {
    title: '4. Memory: the token cache stays bounded',
    intro: [
      `${report.count.toLocaleString('en')} distinct HS256 tokens (${report.tokenBytes} characters each) verified by one`,
      `\`createAuth({ cache: { max: ${report.max} } })\`, in a fresh process, heap measured after \`gc()\`.`,
      'The entry count is read through the public API: re-verifying from the newest token back, each cache hit',
      '(`onEvent` reports `cached: true`) is an entry.',
    ].join(' '),
    header: ['Measure', 'Value'],
    rows: [
      ['Heap before any token', formatBytes(report.heapBase)],
      [
        `Heap with the cache full (${report.max} tokens)`,
        `${formatBytes(report.heapFull)} (+${formatBytes(cacheHeap)})`,
      ],
      [
        `Heap after ${report.count.toLocaleString('en')} tokens`,
        `${formatBytes(report.heapAfter)} (+${formatBytes(report.heapAfter - report.heapBase)})`,
      ],
      ['Growth after the cache filled', formatBytes(growth)],
      ['Bytes per cached entry (token + identity)', `${perEntry.toFixed(0)} B`],
      ['Entries in the cache', `${report.entries} (bound ${report.max})`],
      ['Oldest token evicted', report.oldestEvicted ? 'yes' : 'no'],
    ],
    targets: [
      {
        name: 'Cache entries within the configured bound',
        verdict: bounded ? 'met' : 'missed',
        measured: `${report.entries} of ${report.max}`,
      },
      {
        name: `Heap flat once the cache is full (growth <= ${GROWTH_ALLOWANCE * 100}% of the full cache)`,
        verdict: flat ? 'met' : 'missed',
        measured: `${formatBytes(growth)} vs ${formatBytes(cacheHeap)}`,
      },
    ],
  }
}
