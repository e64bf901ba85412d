import type { MatchOptions } from '@portcullis/core'

/** What a Portcullis middleware enforces, recorded when it is made so it can be read without running it. */
export type Mark =
  | { readonly kind: 'procedure'; readonly required: boolean }
  | {
      readonly kind: 'scopes' | 'roles'
      readonly list: readonly string[]
      readonly mode: NonNullable<MatchOptions['mode']>
    }

const marks = new WeakMap<object, Mark>()

/** Records what `middleware` enforces and returns it unchanged. */
export function mark<T extends object>(middleware: T, what: Mark): T {
  marks.set(middleware, what)
  return middleware
}

/** What a middleware function made by `createAuthProcedures` enforces, or undefined for any other. */
export function markOf(middleware: unknown): Mark | undefined {
  return typeof middleware === 'function' ? marks.get(middleware) : undefined
}
