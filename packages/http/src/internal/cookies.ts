/** `name=value` of a `Set-Cookie` line, and whether it clears the cookie. */
function parseSetCookie(line: string): { name: string; value: string; cleared: boolean } | undefined {
  const pair = line.split(';', 1)[0]!
  const eq = pair.indexOf('=')
  if (eq <= 0) return undefined
  const value = pair.slice(eq + 1).trim()
  return {
    name: pair.slice(0, eq).trim(),
    value,
    cleared: value === '' || /;\s*max-age=0\s*(;|$)/i.test(line),
  }
}

/**
 * The `Cookie` header a browser sends after applying `setCookie` to `cookie`: the request's
 * other cookies kept, refreshed ones replaced, cleared ones dropped.
 *
 * @example
 * applySetCookie('theme=dark; session=old', ['session=new; Path=/']) // 'theme=dark; session=new'
 */
export function applySetCookie(cookie: string | null, setCookie: readonly string[]): string {
  const updates = new Map<string, string | undefined>()
  for (const line of setCookie) {
    const parsed = parseSetCookie(line)
    if (parsed) updates.set(parsed.name, parsed.cleared ? undefined : parsed.value)
  }
  // Every other pair stays as sent, repeats included: core still sees what the browser sent.
  const pairs = (cookie ?? '')
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '' && !updates.has(part.slice(0, Math.max(part.indexOf('='), 0)).trim()))
  for (const [name, value] of updates) if (value !== undefined) pairs.push(`${name}=${value}`)
  return pairs.join('; ')
}
