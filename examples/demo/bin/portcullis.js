#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the demo needs no build step. The tsconfig maps
// @portcullis/* to the workspace sources.
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
await import('../src/main.ts')
