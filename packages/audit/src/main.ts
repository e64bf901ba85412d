import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { RULES_VERSION, type RuleSet } from '@portcullis/core'
import { diffRules, formatDiff } from './diff.js'
import { loadRules } from './load.js'
import { POLICIES, type Policy, parsePolicies, violations } from './policy.js'
import { formatTable } from './table.js'

/** Where the CLI writes; the real one uses the process's streams. */
export interface Output {
  out(text: string): void
  err(text: string): void
}

/** The text `portcullis --help` prints. */
export const HELP = `portcullis audit: who can call what

  portcullis audit <module> [options]     describe the router or schema a module exports
      --export NAME                       the export to audit, when the module has several
      --json                              print the rule set as JSON (version ${RULES_VERSION})
      --fail-on LIST                      exit 1 when an entry breaks one of: ${POLICIES.join(', ')}
      --protect-all                       GraphQL: the schema runs with useAuth({ protectAll: true })
      --on-deny null                      GraphQL: the schema runs with useAuth({ onDeny: 'null' })
  portcullis audit --diff old.json new.json [--fail-on opened,...]
                                          what a change opened up; "opened" fails on any
`

async function readRules(file: string): Promise<RuleSet> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<RuleSet>
  if (parsed?.version !== RULES_VERSION || !Array.isArray(parsed.entries))
    throw new TypeError(`${file} is not a portcullis rule set (version ${RULES_VERSION})`)
  return parsed as RuleSet
}

/**
 * Runs `portcullis` with its arguments and returns the exit code: 0 when fine, 1 when a
 * `--fail-on` rule set is broken, 2 for a usage or load error. Never exits the process itself.
 *
 * @example
 * process.exitCode = await main(['audit', './dist/router.js', '--fail-on', 'unguarded-mutation'])
 */
export async function main(args: readonly string[], output: Output): Promise<number> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(args)
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${HELP}`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help) {
    output.out(HELP)
    return 0
  }
  if (positionals[0] !== 'audit') {
    output.err(HELP)
    return 2
  }
  const targets = positionals.slice(1)
  try {
    const names = values['fail-on'] ? values['fail-on'].split(',').map((name) => name.trim()) : []
    const opened = names.includes('opened')
    const policies: Policy[] = parsePolicies(names.filter((name) => name !== 'opened').join(','))
    if (values.diff) {
      if (targets.length !== 2) throw new TypeError('--diff needs two files: old.json new.json')
      const [before, after] = await Promise.all(targets.map(readRules))
      const changes = diffRules(before!, after!)
      output.out(values.json ? JSON.stringify(changes, null, 2) : formatDiff(changes))
      const broken = violations(after!, policies)
      for (const item of broken) output.err(`${item.policy}: ${item.path}`)
      return broken.length > 0 || (opened && changes.some((item) => item.change === 'opened')) ? 1 : 0
    }
    if (opened) throw new TypeError('--fail-on opened applies to --diff only')
    if (targets.length !== 1) throw new TypeError('audit needs one module')
    const onDeny = values['on-deny']
    if (onDeny !== undefined && onDeny !== 'null' && onDeny !== 'reject')
      throw new TypeError(`--on-deny must be 'reject' or 'null'`)
    const rules = await loadRules(targets[0]!, {
      exportName: values.export,
      protectAll: values['protect-all'],
      onDeny,
    })
    output.out(values.json ? JSON.stringify(rules, null, 2) : formatTable(rules))
    const broken = violations(rules, policies)
    for (const item of broken) output.err(`${item.policy}: ${item.path}`)
    return broken.length > 0 ? 1 : 0
  } catch (error) {
    // Our own messages name files, exports and options; nothing here holds a token.
    output.err(error instanceof Error ? error.message : String(error))
    return 2
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
      diff: { type: 'boolean' },
      export: { type: 'string' },
      'fail-on': { type: 'string' },
      'protect-all': { type: 'boolean' },
      'on-deny': { type: 'string' },
    },
  })
}
