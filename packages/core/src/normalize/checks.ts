/** The value as an array: a lone value becomes a one-element array. */
export const toArray = <T>(value: T | readonly T[]): readonly T[] =>
  Array.isArray(value) ? value : [value as T]

/** The value, when it is a non-empty string; else a `TypeError` naming `option`. */
export function checkString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`"${option}" must be a non-empty string`)
  return value
}
