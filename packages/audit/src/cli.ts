#!/usr/bin/env node
import { main } from './main.js'

process.exitCode = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
})
// The audited module was imported, and may have opened a pool or a client that keeps the process
// alive: the audit is over either way, so CI never hangs on it. Unref'd: a clean exit is not delayed.
setTimeout(() => process.exit(), 1000).unref()
