import type { MatchOptions } from '@portcullis/core'

/** What a Portcullis middleware enforces, recorded when it is made so it can be read without running it. */
export type Mark =
  | { readonly kind: 'procedure'; readonly required: boolean }
  | {
      readonly kind: 'scopes' | 'roles'
      readonly list: readonly string[]
      readonly mode: NonNullable<MatchOptions['mode']>
    }

// Symbol.for, like the meta layers: `portcullis audit` may load another copy of this package than
// the one that made the router, and must still read the marks. An unmarked middleware is `custom`.
const MARK: unique symbol = Symbol.for('portcullis.trpc.rule') as never

/** Records what `middleware` enforces and returns it unchanged. */
export function mark<T extends object>(middleware: T, what: Mark): T {
  Object.defineProperty(middleware, MARK, { value: Object.freeze(what) })
  return middleware
}

/** What a middleware function made by `createAuthProcedures` enforces, or undefined for any other. */
export function markOf(middleware: unknown): Mark | undefined {
  return typeof middleware === 'function' ? (middleware as { [MARK]?: Mark })[MARK] : undefined
}
