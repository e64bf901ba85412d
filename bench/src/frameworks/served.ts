import { startChild } from '../http/child.js'
import { type Served, servedBy, servedVariant, warmServed } from '../http/served.js'
import { type CycleCosts, type PalindromeOptions, palindromic, type Variant } from '../palindrome.js'
import { keyMaterial, signToken } from '../tokens.js'
import { builtNextApp } from './next-app.js'
import { SERVED_FRAMEWORKS, type ServedFramework, type ServedVariant, servedPath } from './served-apps.js'

/** What every served app answers a request with the bench's token (and the bare one any request). */
export const SERVED_BODY = '{"subject":"alice"}'

/** One process serving one framework's app on loopback. */
export interface ServedProcess {
  /** `Hono bare`, `Hono bare (A/A)`, `Hono protected`: how it is named in errors and in the costs. */
  readonly scenario: { readonly name: string }
  readonly framework: ServedFramework
  readonly variant: ServedVariant
  readonly url: string
  /** CPU time the process has used so far, in microseconds. */
  cpu(): Promise<number>
  /** A young-generation GC in the process (between slots, outside the timed region). */
  settle(): Promise<void>
  stop(): Promise<void>
}

/**
 * The variants one framework's palindrome times: bare, a second bare process (the A/A control), the
 * floor (two pass-through layers) and protected.
 */
export const SERVED_VARIANTS = [
  { suffix: 'bare', variant: 'bare' },
  { suffix: 'bare (A/A)', variant: 'bare' },
  { suffix: 'floor', variant: 'floor' },
  { suffix: 'protected', variant: 'protected' },
] as const satisfies readonly { suffix: string; variant: ServedVariant }[]

/** Starts one served app in a process of its own (pinned and flagged as every bench server) and resolves once it listens. */
export async function startServed(
  framework: ServedFramework,
  variant: ServedVariant,
  name: string,
  env: Readonly<Record<string, string>>,
): Promise<ServedProcess> {
  const child = await startChild(
    new URL('./served-child.js', import.meta.url),
    [framework, variant],
    { NEXT_TELEMETRY_DISABLED: '1', ...env },
    name,
  )
  return {
    scenario: { name },
    framework,
    variant,
    url: `http://127.0.0.1:${child.port}${servedPath(framework, variant)}`,
    cpu: child.cpu,
    settle: child.settle,
    stop: child.stop,
  }
}

/**
 * Throws unless the process answers the token with exactly {@link SERVED_BODY}, and (protected) refuses
 * a request without one with a 401 `token_missing`: a server that answers wrongly is never timed.
 */
export async function checkServed(server: ServedProcess, authorization: string): Promise<void> {
  const response = await fetch(server.url, { headers: { authorization } })
  const body = await response.text()
  if (response.status !== 200 || body !== SERVED_BODY)
    throw new Error(`${server.scenario.name}: expected 200 ${SERVED_BODY}, got ${response.status} ${body}`)
  if (server.variant !== 'protected') return
  const refused = await fetch(server.url)
  const refusal = await refused.text()
  if (refused.status !== 401 || !refusal.includes('"token_missing"'))
    throw new Error(
      `${server.scenario.name}: without a token, expected 401 token_missing, got ${refused.status}`,
    )
}

/** What every served process is started with: the HS256 secret (hex) and, when Next is served, its build. */
export async function servedSetup(frameworks: readonly ServedFramework[] = SERVED_FRAMEWORKS) {
  const material = await keyMaterial('HS256')
  const env: Record<string, string> = {
    PORTCULLIS_BENCH_SECRET: Buffer.from(material.secret!).toString('hex'),
  }
  if (frameworks.includes('Next')) env.PORTCULLIS_BENCH_NEXT_DIR = await builtNextApp(env)
  return { env, authorization: `Bearer ${await signToken(material)}` }
}

/**
 * One framework's variants (bare, bare again, the floor, protected), each in `processes` processes of
 * its own (each warmed on its own first; a variant's sub-slots go to its processes in turn, as in
 * section 2), timed in palindromic cycles over keep-alive connections: server CPU microseconds per
 * request, per cycle, keyed `bare`, `bare (A/A)`, `floor`, `protected`. Every process is checked before
 * timing and after, and every timed answer must be {@link SERVED_BODY} byte for byte. Every process is
 * stopped, whatever happens.
 */
export async function timeServed(
  framework: ServedFramework,
  setup: { env: Readonly<Record<string, string>>; authorization: string },
  options: PalindromeOptions & { connections: number; processes?: number },
): Promise<CycleCosts> {
  const servers: ServedProcess[] = []
  const served: Served<ServedProcess>[] = []
  const processes = Math.max(1, options.processes ?? 1)
  try {
    // Pushed as each one listens, so the finally block stops every process that started.
    await Promise.all(
      SERVED_VARIANTS.flatMap(({ suffix, variant }) =>
        Array.from({ length: processes }, async () =>
          servers.push(await startServed(framework, variant, `${framework} ${suffix}`, setup.env)),
        ),
      ),
    )
    const check = async (server: ServedProcess) => {
      await checkServed(server, setup.authorization)
      return SERVED_BODY
    }
    const variants: Variant[] = []
    for (const { suffix } of SERVED_VARIANTS) {
      const own = servers.filter((item) => item.scenario.name === `${framework} ${suffix}`)
      const set = servedBy(own, { authorization: setup.authorization }, options.connections)
      served.push(...set)
      for (const one of set) await warmServed(one, SERVED_BODY, options.warmupMs, options.firstCount ?? 1)
      variants.push(servedVariant(suffix, set, SERVED_BODY, check))
    }
    return await palindromic(variants, options)
  } finally {
    for (const { client } of served) client.close()
    await Promise.all(servers.map((server) => server.stop()))
  }
}
