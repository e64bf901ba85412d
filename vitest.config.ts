import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// Tests import the packages by name and run against their sources, so no build step is needed.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@portcullis\/core\/otel$/, replacement: src('./packages/core/src/otel/index.ts') },
      { find: /^@portcullis\/core\/redis$/, replacement: src('./packages/core/src/redis.ts') },
      { find: /^@portcullis\/audit$/, replacement: src('./packages/audit/src/index.ts') },
      { find: /^@portcullis\/core$/, replacement: src('./packages/core/src/index.ts') },
      {
        find: /^@portcullis\/http\/(express|fastify|hono|next)$/,
        replacement: src('./packages/http/src/$1/index.ts'),
      },
      { find: /^@portcullis\/http$/, replacement: src('./packages/http/src/index.ts') },
      { find: /^@portcullis\/trpc$/, replacement: src('./packages/trpc/src/index.ts') },
      { find: /^@portcullis\/yoga$/, replacement: src('./packages/yoga/src/index.ts') },
      // Node loads graphql 16 as CommonJS (its package has no "exports"), and so do graphql-yoga and
      // envelop; resolving it the same way in sources keeps a single graphql instance.
      { find: /^graphql$/, replacement: 'graphql/index.js' },
    ],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/test/**/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    typecheck: { enabled: false },
  },
})
