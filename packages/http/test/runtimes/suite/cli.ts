// Bun and Deno entry: run the suite, print its results.
import { runSuite } from './suite.js'

console.log(JSON.stringify(await runSuite()))
