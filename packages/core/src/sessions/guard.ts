import { AuthError } from '../errors.js'

/**
 * A 503 for a store failure. Only the error's kind (its name) and system code (`ECONNREFUSED`) travel
 * on, never its text: a store error may quote the command it failed on, with the session's key and
 * its record.
 */
export function storeUnavailable(error: unknown): AuthError {
  let cause: Error | undefined
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    const name = /^[A-Za-z][\w$]{0,63}$/.test(error.name) ? error.name : 'Error'
    cause = new Error(
      typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? `${name} (${code})` : name,
    )
  }
  return new AuthError('store_unavailable', 'session store is unavailable', { cause })
}

/** Runs a store operation; anything it throws becomes a 503 `store_unavailable`. */
export async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    throw error instanceof AuthError ? error : storeUnavailable(error)
  }
}
