import { describe, expect, it } from 'vitest'
import { importedPackages, installed, section, tsBlocks } from '../../../scripts/packed-install/readme.js'

const readme = `# pkg

## Install

\`\`\`sh
pnpm add @portcullis/trpc @portcullis/core @trpc/server   # Node 20
pnpm add -D zod
\`\`\`

For the quick start, \`pnpm add jose\` too.

## Quick start

\`\`\`ts
import { z } from 'zod'
import { createHTTPServer } from '@trpc/server/adapters/standalone'
import { once } from 'node:events'
const lazy = await import('graphql-yoga')
\`\`\`

## Options
`

describe('reading a README as a user would', () => {
  it('takes every package a `pnpm add` in the Install section names, flags and comments left out', () => {
    expect(installed(section(readme, 'Install'))).toEqual([
      '@portcullis/trpc',
      '@portcullis/core',
      '@trpc/server',
      'zod',
      'jose',
    ])
  })

  it('takes the quick start blocks of their own section only', () => {
    expect(tsBlocks(section(readme, 'Quick start'))).toHaveLength(1)
    expect(tsBlocks(section(readme, 'Install'))).toHaveLength(0)
    expect(section(readme, 'Recipes')).toBe('')
  })

  it('names the packages a block imports, subpaths folded into their package, builtins left out', () => {
    const [code] = tsBlocks(section(readme, 'Quick start'))
    expect(importedPackages(code!)).toEqual(['zod', '@trpc/server', 'graphql-yoga'])
  })
})
