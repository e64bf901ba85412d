import { AuthError } from '../errors.js'

/** A 503 for a store failure; only the error's kind travels on, as a store error may echo command arguments. */
export function storeUnavailable(error: unknown): AuthError {
  const cause =
    error instanceof Error ? new Error(`${error.name}: ${error.message.slice(0, 200)}`) : undefined
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
