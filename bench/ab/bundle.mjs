// One source tree's Portcullis packages as one ES module file, for the A/B scripts that compare trees:
// esbuild bundles the tree's sources (packages/*/src), and leaves every other package (frameworks,
// jose) to resolve from bench/node_modules, so that all trees share one copy of them.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** Where each public entry point's source lives in a tree. */
const SOURCES = {
  '@portcullis/core': 'core/src/index.ts',
  '@portcullis/yoga': 'yoga/src/index.ts',
  '@portcullis/trpc': 'trpc/src/index.ts',
  '@portcullis/http/express': 'http/src/express/index.ts',
  '@portcullis/http/fastify': 'http/src/fastify/index.ts',
  '@portcullis/http/hono': 'http/src/hono/index.ts',
  '@portcullis/http/next': 'http/src/next/index.ts',
}

/**
 * Bundles the tree at `root` into `file` (under bench/node_modules, so git and Biome ignore it and
 * its imports resolve from there), exporting each entry point of `exports` under its name:
 * `{ core: '@portcullis/core' }` is `export * as core from '@portcullis/core'`. Resolves to `file`.
 */
export async function bundleTree(root, exports, file) {
  const { build } = await import('../../packages/core/node_modules/esbuild/lib/main.js')
  const contents = Object.entries(exports)
    .map(([name, specifier]) => `export * as ${name} from '${specifier}'`)
    .join('\n')
  const result = await build({
    stdin: { contents, resolveDir: here, loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    alias: Object.fromEntries(
      Object.entries(SOURCES).map(([specifier, source]) => [specifier, join(root, 'packages', source)]),
    ),
  })
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, result.outputFiles[0].text)
  return file
}
