// Bun and Deno entry: fetch the fixture from the URL given as the first argument, print the results.
import type { Fixture } from './fixture.js'
import { runSuite } from './suite.js'

declare const Deno: { args: string[]; env: { get(name: string): string | undefined } } | undefined
declare const process: { argv: string[]; env: Record<string, string | undefined> }

const url = typeof Deno !== 'undefined' ? Deno.args[0] : process.argv[2]
const fixture = (await (await fetch(url!)).json()) as Fixture
// The process environment, as a user passes it: process.env on Bun, Deno.env (names granted) on Deno.
const env =
  typeof Deno !== 'undefined'
    ? Object.fromEntries(Object.keys(fixture.env).map((name) => [name, Deno.env.get(name)]))
    : process.env
console.log(JSON.stringify(await runSuite(fixture, env)))
