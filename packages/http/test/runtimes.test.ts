import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const src = new URL('../src/', import.meta.url)

/** Every module an entry point loads at run time (type-only imports are erased), as paths under src/. */
function runtimeGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  const visit = (path: string) => {
    if (graph.has(path)) return
    const code = readFileSync(new URL(path, src), 'utf8')
    const specifiers = [...code.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm)].map(
      (match) => match[1]!,
    )
    graph.set(path, specifiers)
    for (const specifier of specifiers)
      if (specifier.startsWith('.'))
        visit(
          new URL(specifier.replace(/\.js$/, '.ts'), new URL(path, src)).pathname.slice(src.pathname.length),
        )
  }
  visit(entry)
  return graph
}

describe('what the Fetch-only entry points load', () => {
  for (const [entry, framework] of [
    ['hono/index.ts', 'hono'],
    ['next/index.ts', 'next/server.js'],
  ] as const)
    it(`${entry} loads nothing from Node, only core and ${framework}`, () => {
      const graph = runtimeGraph(entry)
      expect(graph.size).toBeGreaterThan(3)
      const external = [...graph.values()].flat().filter((specifier) => !specifier.startsWith('.'))
      const others = external.filter(
        (specifier) => specifier !== '@portcullis/core' && specifier !== framework,
      )
      expect(others).toEqual([])
    })
})
