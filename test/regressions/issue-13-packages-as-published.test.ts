import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { importedPackages, installed, section, tsBlocks } from '../../scripts/packed-install/readme.js'

// Issue 13: a fresh clone failed its tests (vectors read from ../shared), and the packages had never
// been installed as users install them. CI's packed install (scripts/packed-install.ts) checks the
// tarballs; these fast checks keep the manifests and READMEs from drifting back between CI runs.
const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')
const published = readdirSync(new URL('packages/', root))
  .filter((dir) => existsSync(new URL(`packages/${dir}/package.json`, root)))
  .map((dir) => ({ dir, manifest: JSON.parse(read(`packages/${dir}/package.json`)) }))
  .filter(({ manifest }) => !manifest.private)

describe('issue 13: the repository needs nothing beside it', () => {
  it('has no tracked file that reads a shared/ folder outside the repository', () => {
    expect(gitGrep('\\.\\./shared/', '/work/shared')).toBe('')
  })
})

/** Tracked files matching any pattern (this file left out), as `git grep -n` prints them; '' for none. */
function gitGrep(...patterns: string[]): string {
  const args = ['grep', '-n', ...patterns.flatMap((pattern) => ['-e', pattern])]
  try {
    return execFileSync('git', [...args, '--', '.', ':!test/regressions/issue-13-*'], {
      cwd: root,
      encoding: 'utf8',
    })
  } catch (error) {
    if ((error as { status?: number }).status === 1) return '' // git grep: no match
    throw error
  }
}

describe.each(published)('issue 13: packages/$dir as published', ({ dir, manifest }) => {
  it('ships an MIT LICENSE and says where it comes from', () => {
    expect(manifest.license).toBe('MIT')
    expect(read(`packages/${dir}/LICENSE`)).toMatch(/^MIT License/)
    expect(manifest.repository).toMatchObject({ type: 'git', directory: `packages/${dir}` })
    expect(manifest.homepage).toMatch(/^https:\/\//)
  })

  it('ships source maps with their sources, or none', () => {
    const build = JSON.parse(read(`packages/${dir}/tsconfig.build.json`)).compilerOptions
    const base = JSON.parse(read('tsconfig.base.json')).compilerOptions
    if (build.sourceMap ?? base.sourceMap) expect(build.inlineSources).toBe(true)
  })

  it('takes @portcullis/core as a peer, so an app and its adapters share one copy', () => {
    if (manifest.name === '@portcullis/core') return
    expect(manifest.dependencies?.['@portcullis/core']).toBeUndefined()
    expect(manifest.peerDependencies?.['@portcullis/core']).toBe('workspace:^')
    expect(manifest.devDependencies?.['@portcullis/core']).toBe('workspace:^')
  })

  it("names in its README's install line every package its quick start imports", () => {
    const readme = read(`packages/${dir}/README.md`)
    const installs = installed(section(readme, 'Install'))
    const blocks = tsBlocks(section(readme, 'Quick start'))
    expect(blocks.length).toBeGreaterThan(0)
    for (const block of blocks) for (const name of importedPackages(block)) expect(installs).toContain(name)
  })
})

describe('issue 13: ioredis', () => {
  it('admits both tested majors as the optional peer of core', () => {
    const core = JSON.parse(read('packages/core/package.json'))
    expect(core.peerDependencies.ioredis).toBe('^5 || ^6')
    expect(core.devDependencies.ioredis).toMatch(/^\^5\./)
    expect(core.devDependencies.ioredis6).toMatch(/^npm:ioredis@\^6\./)
  })
})
