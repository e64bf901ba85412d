// Bun and Deno entry: fetch the fixture from the URL given as the first argument, print the results.
import type { Fixture } from './fixture.js'
import { runSuite } from './suite.js'

declare const Deno: { args: string[] } | undefined
declare const process: { argv: string[] }

const url = typeof Deno !== 'undefined' ? Deno.args[0] : process.argv[2]
const fixture = (await (await fetch(url!)).json()) as Fixture
console.log(JSON.stringify(await runSuite(fixture)))
