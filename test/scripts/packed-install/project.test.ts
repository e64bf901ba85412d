import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { copiesOf, publishedProblems, resolvedFrom } from '../../../scripts/packed-install/project.js'

function fakePackage(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true })
  const exports = { '.': { default: './index.js' } }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, type: 'module', exports }))
  writeFileSync(join(dir, 'index.js'), 'export {}\n')
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'packed-install-test-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
  fakePackage(join(dir, 'node_modules/@portcullis/core'), '@portcullis/core')
  fakePackage(join(dir, 'node_modules/@portcullis/trpc'), '@portcullis/trpc')
  return dir
}

describe('counting copies of @portcullis/core in an installed project', () => {
  it('finds one copy, which the adapter resolves too', () => {
    const dir = project()
    expect(copiesOf(dir, '@portcullis/core')).toEqual([join(dir, 'node_modules/@portcullis/core')])
    expect(resolvedFrom(dir, '@portcullis/core', '@portcullis/trpc')).toBe(
      resolvedFrom(dir, '@portcullis/core'),
    )
  })

  it('finds the second copy npm nests under an adapter, which the adapter then resolves instead', () => {
    const dir = project()
    const nested = join(dir, 'node_modules/@portcullis/trpc/node_modules/@portcullis/core')
    fakePackage(nested, '@portcullis/core')
    expect(copiesOf(dir, '@portcullis/core')).toHaveLength(2)
    expect(copiesOf(dir, '@portcullis/core')).toContain(nested)
    expect(resolvedFrom(dir, '@portcullis/core', '@portcullis/trpc')).not.toBe(
      resolvedFrom(dir, '@portcullis/core'),
    )
  })
})

describe('checking an installed package as published', () => {
  it('accepts a LICENSE, a README and source maps that carry their sources', () => {
    const dir = join(project(), 'node_modules/@portcullis/core')
    for (const file of ['LICENSE', 'README.md']) writeFileSync(join(dir, file), 'text')
    mkdirSync(join(dir, 'dist'))
    const map = { version: 3, sources: ['../src/index.ts'], sourcesContent: ['export {}'], mappings: '' }
    writeFileSync(join(dir, 'dist/index.js.map'), JSON.stringify(map))
    expect(publishedProblems(dir)).toEqual([])
  })

  it('names a missing LICENSE and a source map without sourcesContent', () => {
    const dir = join(project(), 'node_modules/@portcullis/core')
    writeFileSync(join(dir, 'README.md'), 'text')
    mkdirSync(join(dir, 'dist'))
    writeFileSync(
      join(dir, 'dist/index.js.map'),
      JSON.stringify({ version: 3, sources: ['../src/index.ts'] }),
    )
    expect(publishedProblems(dir)).toEqual([
      'LICENSE is not in the package',
      `${join(dir, 'dist/index.js.map')} has no sourcesContent`,
    ])
  })
})
