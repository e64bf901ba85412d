/** A value kept on an object, for as long as the object lives. */
export interface Slot<T> {
  get(target: object): T | undefined
  set(target: object, value: T): void
}

/**
 * Per-request state kept on the request or context object itself, under a private `Symbol`
 * (non-enumerable, so spreading or logging the context does not copy or show it). A `WeakMap`
 * keyed by each short-lived request made V8 process an ephemeron per entry on every young-generation
 * GC: the bench measured GC at ~16% of server CPU instead of ~6%, and Yoga + `useAuth` at ~65% of
 * bare Yoga's capacity, 85-87% with the state on the object (see bench/analysis.md). Only objects
 * that take no new property (frozen contexts) fall back to a `WeakMap`. `Object.defineProperty` costs
 * a few points of capacity over a plain assignment; it keeps the state out of `{ ...context }`.
 */
export function createSlot<T>(description: string): Slot<T> {
  const key = Symbol(description)
  const fallback = new WeakMap<object, T>()
  return {
    get: (target) => (target as Record<symbol, T | undefined>)[key] ?? fallback.get(target),
    set(target, value) {
      if (Object.isExtensible(target))
        Object.defineProperty(target, key, { value, configurable: true, writable: true })
      else fallback.set(target, value)
    },
  }
}
