// What the core README's quick start must do when run from a packed install.
import * as assert from 'node:assert/strict'
import type { ProbeContext } from '../probe.js'

/**
 * The quick start verifies its own token and greets alice.
 *
 * @example
 * await quick_start_0({ ...(await start(file, { cwd })), sign }) // throws when it does not
 */
export function quick_start_0({ output }: ProbeContext): void {
  assert.match(output(), /hello alice/)
}
