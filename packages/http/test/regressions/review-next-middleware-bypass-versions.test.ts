import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

// Review: the Next.js peer range admitted every Next 14 and 15 release, including those where a
// client sending `x-middleware-subrequest` skips middleware.ts altogether (CVE-2025-29927, fixed in
// 14.2.25 and 15.2.3): `authMiddleware` would never run and every guarded path would be open. The
// range now starts at the fixed releases, so a package manager warns on an exploitable Next.
const semver = createRequire(import.meta.url)('next/dist/compiled/semver') as {
  intersects(a: string, b: string): boolean
  satisfies(version: string, range: string): boolean
}
const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  peerDependencies: Record<string, string>
}

describe('review: Next.js releases whose middleware a header skips', () => {
  const range = manifest.peerDependencies.next!

  it('are outside the peer range', () => {
    expect(semver.intersects(range, '<14.2.25')).toBe(false)
    expect(semver.intersects(range, '>=15.0.0 <15.2.3')).toBe(false)
  })

  it('leaves the fixed releases and Next 16 in it', () => {
    for (const version of ['14.2.25', '15.2.3', '15.5.0', '16.0.0'])
      expect(semver.satisfies(version, range)).toBe(true)
  })
})
