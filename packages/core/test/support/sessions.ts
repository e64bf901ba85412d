/** A clock tests move by hand: pass `clock.now` as the `now` option. */
export function manualClock(start = 1_700_000_000_000) {
  let current = start
  return {
    now: () => current,
    advance(ms: number) {
      current += ms
    },
  }
}

/** What a browser would send back after these `Set-Cookie` values (cleared cookies dropped). */
export function cookieHeader(setCookie: readonly string[], jar: Map<string, string> = new Map()): string {
  for (const line of setCookie) {
    const [pair] = line.split(';')
    const eq = pair!.indexOf('=')
    const name = pair!.slice(0, eq)
    const value = pair!.slice(eq + 1)
    if (/;\s*Max-Age=0(;|$)/.test(line) || value === '') jar.delete(name)
    else jar.set(name, value)
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
}

/** A request carrying these cookies. */
export const withCookies = (setCookie: readonly string[]) => ({ cookie: cookieHeader(setCookie) })
