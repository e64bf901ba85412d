/**
 * A value kept on an object for as long as the object lives: what {@link createSlot} returns.
 *
 * @example
 * const verdicts: Slot<AuthResult> = createSlot()
 */
export interface Slot<T> {
  /** The value kept on `target`, or undefined. */
  get(target: object): T | undefined
  /** Keeps `value` on `target`, replacing what was there. */
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
 * Per-request state kept on the request (or context) object itself, in a private class field
 * stamped onto it: invisible to spreading, logging, `Object.keys` and symbol enumeration, out of
 * reach of any other code (only this slot reads or writes it), and as fast as a property. What
 * adapters use instead of a `WeakMap` keyed by each request: under load such a map made V8 process
 * an ephemeron per entry on every young-generation GC (GC ~16% of a Yoga server's CPU instead of
 * ~6%, bench/analysis.md), and `Object.defineProperty` with a `Symbol` cost 2-4 µs per request. An
 * object that takes no new property (a frozen one) is kept in a `WeakMap` instead.
 *
 * @example
 * const verdicts = createSlot<AuthResult>()
 * verdicts.set(request, await auth.authenticate(request))
 * verdicts.get(request)?.status // 'authenticated', for this request object only
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
