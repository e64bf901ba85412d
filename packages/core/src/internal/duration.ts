/**
 * A duration: seconds as a number, or a string such as `'5s'`, `'10m'`, `'1h'`, `'30d'`.
 *
 * @example
 * createAuth({ issuer, audience, jwks, clockTolerance: '5s', maxTokenAge: '1h' })
 */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 }

/**
 * Parses a {@link Duration} into seconds, naming `option` in the `TypeError` for a bad value.
 * Adapters use it so every duration option reads the same way.
 *
 * @example
 * toSeconds('10m', 'recheckInterval') // 600
 */
export function toSeconds(value: Duration, option: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value
  } else if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim())
    if (match) return Number(match[1]) * UNITS[match[2]!]!
  }
  throw new TypeError(
    `"${option}" must be a non-negative number of seconds or a string like '5s', '10m', '1h'`,
  )
}
