/** The mutators of `Date.prototype`, each of which changes the instant a `Date` holds. */
const SETTERS = [
  'setDate',
  'setFullYear',
  'setHours',
  'setMilliseconds',
  'setMinutes',
  'setMonth',
  'setSeconds',
  'setTime',
  'setUTCDate',
  'setUTCFullYear',
  'setUTCHours',
  'setUTCMilliseconds',
  'setUTCMinutes',
  'setUTCMonth',
  'setUTCSeconds',
  'setYear',
] as const

/**
 * A `Date` that cannot be moved. `Object.freeze` does not reach a `Date`'s instant (its setters write
 * an internal slot), and a cached identity hands the same object to every request with that token: one
 * request's `identity.expiresAt.setFullYear(3000)` would otherwise change what every later request of
 * that token reads. Everything that reads a `Date` still works (`instanceof Date`, `getTime`,
 * `toISOString`, `JSON.stringify`, `new Date(frozen)`); every setter throws a `TypeError`.
 *
 * @example
 * const expiresAt = new FrozenDate(payload.exp * 1000)
 * expiresAt.setTime(0) // TypeError: a verified identity's dates cannot be changed
 */
export class FrozenDate extends Date {}

for (const name of SETTERS)
  if (name in Date.prototype)
    Object.defineProperty(FrozenDate.prototype, name, {
      value: function frozen(): never {
        throw new TypeError("a verified identity's dates cannot be changed")
      },
      writable: false,
      enumerable: false,
      configurable: false,
    })
Object.freeze(FrozenDate.prototype)
