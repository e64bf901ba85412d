#!/usr/bin/env node
import { parseArgs } from 'node:util'
import type { Algorithm } from '@portcullis/core'
import { DEFAULT_KEY_FILE, loadDevKey } from './dev-keys.js'
import { formatInspection, inspectToken } from './inspect.js'
import { createDevIssuer, DEMO_AUDIENCE } from './issuer.js'
import { findUser } from './users.js'

const HELP = `portcullis: the Portcullis demo and its token tools

  pnpm start                         start the demo server (PORT, HOST, REDIS_URL)
  pnpm portcullis token [options]    mint a dev token from the demo issuer
      --sub alice                    subject (alice and bob get their demo scopes and roles)
      --scope "read:reports ..."     scopes, instead of the user's
      --role admin                   roles, instead of the user's (repeatable)
      --ttl 5m                       lifetime: 90s, 5m, 1h
      --issuer URL                   default http://127.0.0.1:$PORT (3000)
  pnpm portcullis inspect <token|-> [options]
                                     explain, check by check, whether a config accepts the token
      --issuer URL                   the trusted issuer (default: the demo's)
      --audience A                   the accepted audience (default: the demo's; "false" skips it)
      --jwks URL                     the key set (default: found by OIDC discovery)
      --alg ES256                    an allowed algorithm (repeatable)
      --typ at+jwt                   the required "typ" header
      --scope read:reports           a scope the call needs (repeatable)
      --role admin                   a role the call needs (repeatable)
`

/** The demo server's origin when it runs with its defaults. */
function defaultIssuer(env: NodeJS.ProcessEnv = process.env): string {
  return `http://${env.HOST || '127.0.0.1'}:${env.PORT || '3000'}`
}

/** Parses `90s`, `5m`, `1h`, `2d` or plain seconds. */
function parseTtl(value: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(value.trim())
  if (!match) throw new TypeError(`--ttl must look like 90s, 5m, 1h or 2d, not "${value}"`)
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? 's') as 's']
}

const list = (values: readonly string[] | undefined) =>
  values?.flatMap((value) => value.split(/[\s,]+/)).filter(Boolean)

async function token(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      sub: { type: 'string', default: 'alice' },
      scope: { type: 'string', multiple: true },
      role: { type: 'string', multiple: true },
      ttl: { type: 'string', default: '5m' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
    },
  })
  const user = findUser(values.sub)
  const issuer = createDevIssuer({
    key: await loadDevKey(),
    issuer: values.issuer ?? defaultIssuer(),
    audience: values.audience ?? DEMO_AUDIENCE,
  })
  const minted = await issuer.mint({
    subject: values.sub,
    scopes: list(values.scope) ?? user?.scopes ?? [],
    roles: list(values.role) ?? user?.roles ?? [],
    ttl: parseTtl(values.ttl),
  })
  process.stdout.write(`${minted}\n`)
  if (process.stderr.isTTY) {
    process.stderr.write(
      `\ncurl -H "Authorization: Bearer ${minted.slice(0, 12)}..." ${issuer.issuer}/trpc/reports.list\n` +
        '(signed with the key in examples/demo/.dev-keys.json, which the demo server also uses)\n',
    )
  }
  return 0
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').trim()
}

async function inspect(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      issuer: { type: 'string' },
      audience: { type: 'string' },
      jwks: { type: 'string' },
      alg: { type: 'string', multiple: true },
      typ: { type: 'string' },
      scope: { type: 'string', multiple: true },
      role: { type: 'string', multiple: true },
    },
  })
  let input = positionals[0]
  if (input === undefined || input === '-') input = await readStdin()
  if (!input) {
    process.stderr.write('inspect: give a token, or "-" to read it from stdin\n')
    return 2
  }
  const issuer = values.issuer ?? defaultIssuer()
  let jwks: Parameters<typeof inspectToken>[1]['jwks'] = values.jwks
  // The demo's own issuer works offline too: its public key is in the dev key file.
  if (jwks === undefined && values.issuer === undefined) {
    const reachable = await fetch(`${issuer}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(1000),
    }).then(
      (response) => response.ok,
      () => false,
    )
    if (!reachable) {
      jwks = { keys: [(await loadDevKey(DEFAULT_KEY_FILE)).publicJwk] }
      process.stderr.write(`(${issuer} is not running: using the public key in .dev-keys.json)\n`)
    }
  }
  const inspection = await inspectToken(input.trim(), {
    issuer,
    audience: values.audience === 'false' ? false : (values.audience ?? DEMO_AUDIENCE),
    jwks,
    jwksFrom: 'examples/demo/.dev-keys.json',
    algorithms: values.alg as Algorithm[] | undefined,
    tokenType: values.typ,
    scopes: list(values.scope),
    roles: list(values.role),
  })
  process.stdout.write(`${formatInspection(inspection)}\n`)
  return inspection.result.accepted ? 0 : 1
}

async function serve(): Promise<number> {
  const { createDemoServer } = await import('./server.js')
  const port = process.env.PORT === undefined ? 3000 : Number(process.env.PORT)
  const server = await createDemoServer({
    port,
    host: process.env.HOST || '127.0.0.1',
    keyFile: DEFAULT_KEY_FILE,
    redisUrl: process.env.REDIS_URL || undefined,
  })
  // The CLI assumes the default origin; say so when this one differs.
  const issuerFlag = server.url === 'http://127.0.0.1:3000' ? '' : ` --issuer ${server.url}`
  process.stdout.write(
    `Portcullis demo running at ${server.url}\n` +
      `  log in as alice (admin) or bob (reader) at ${server.url}/login; GraphiQL at ${server.url}/graphql\n` +
      `  sessions in ${process.env.REDIS_URL ? 'Redis' : 'memory'}; a bearer token for curl: pnpm portcullis token --sub bob${issuerFlag}\n`,
  )
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return -1
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = { token, inspect, serve }

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv
  const command = name === undefined ? undefined : COMMANDS[name]
  if (!command) {
    process.stdout.write(HELP)
    process.exitCode = name === undefined || name === 'help' || name === '--help' ? 0 : 2
    return
  }
  try {
    const code = await command(args)
    if (code >= 0) process.exitCode = code
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
    const hint = inUse ? ` (another program has the port: try PORT=3001 pnpm start)` : ''
    process.stderr.write(`portcullis ${name}: ${(error as Error).message}${hint}\n`)
    process.exitCode = 2
  }
}

await main(process.argv.slice(2))
