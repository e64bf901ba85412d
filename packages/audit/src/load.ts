import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { RuleSet } from '@portcullis/core'

/** Options of the GraphQL plugin that change what a schema requires. */
export interface LoadOptions {
  /** The export to audit; by default the only router or schema the module exports. */
  exportName?: string
  protectAll?: boolean
  onDeny?: 'reject' | 'null'
}

const isRouter = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  (value as { _def?: { router?: unknown } })._def?.router === true
const isSchema = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { getTypeMap?: unknown }).getTypeMap === 'function' &&
  typeof (value as { getQueryType?: unknown }).getQueryType === 'function'

/**
 * Describes a loaded value with the adapter its shape calls for: a tRPC router with
 * `@portcullis/trpc`, a GraphQL schema with `@portcullis/yoga`. Each is loaded only when needed.
 *
 * @example
 * const rules = await describeValue(appRouter)
 */
export async function describeValue(value: unknown, options: LoadOptions = {}): Promise<RuleSet> {
  if (isRouter(value)) {
    const { describeRules } = await import('@portcullis/trpc')
    return describeRules(value)
  }
  if (isSchema(value)) {
    const { describeRules } = await import('@portcullis/yoga')
    return describeRules(value, { protectAll: options.protectAll, onDeny: options.onDeny })
  }
  throw new TypeError('expected a tRPC router or a GraphQL schema')
}

/**
 * Imports a module and describes the router or schema it exports (`exportName` picks one when
 * there are several). A module with none, or several and no choice, is a `TypeError` naming them.
 *
 * @example
 * const rules = await loadRules('./dist/router.js', { exportName: 'appRouter' })
 */
export async function loadRules(file: string, options: LoadOptions = {}): Promise<RuleSet> {
  const loaded = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>
  const found = Object.keys(loaded).filter((name) => isRouter(loaded[name]) || isSchema(loaded[name]))
  const { exportName } = options
  if (exportName !== undefined) {
    if (!found.includes(exportName))
      throw new TypeError(
        `${file}: export "${exportName}" is not a tRPC router or GraphQL schema (found: ${found.join(', ') || 'none'})`,
      )
    return describeValue(loaded[exportName], options)
  }
  if (found.length !== 1)
    throw new TypeError(
      found.length === 0
        ? `${file} exports no tRPC router and no GraphQL schema`
        : `${file} exports several (${found.join(', ')}): pick one with --export`,
    )
  return describeValue(loaded[found[0]!], options)
}
