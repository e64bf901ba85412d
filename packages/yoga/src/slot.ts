/** A value kept on an object, for as long as the object lives. */
export interface Slot<T> {
  get(target: object): T | undefined
  set(target: object, value: T): void
}

/** A base class whose constructor returns its argument, so a subclass can stamp any object. */
const Stamped = class {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the point: `this` becomes `target`
    return target
  }
} as new (
  target: object,
) => object

/**
 * Per-request state kept on the request or context object itself, in a private class field
 * stamped onto it: invisible to spreading, logging, `Object.keys` and symbol enumeration, and as
 * fast to read and write as a property. Measured alternatives under load (bench/analysis.md):
 * a `WeakMap` keyed by each short-lived request made V8 process an ephemeron per entry on every
 * young-generation GC (GC ~16% of server CPU instead of ~6%); `Object.defineProperty` with a
 * `Symbol` cost 2-4 µs per request, a call into the runtime each time. Objects that take no new
 * property (frozen contexts) use a `WeakMap`.
 */
export function createSlot<T>(): Slot<T> {
  const fallback = new WeakMap<object, T>()
  class Holder extends Stamped {
    #value: T
    constructor(target: object, value: T) {
      super(target)
      this.#value = value
    }
    static get(target: object): T | undefined {
      return #value in target ? (target as Holder).#value : fallback.get(target)
    }
    static set(target: object, value: T): void {
      if (#value in target) (target as Holder).#value = value
      else if (Object.isExtensible(target)) new Holder(target, value)
      else fallback.set(target, value)
    }
  }
  return { get: Holder.get, set: Holder.set }
}
