import { AuthError } from '../errors.js'
import type { StandardSchemaV1 } from '../standard-schema.js'

const MAX_PATHS = 5

/** An issue's path as plain text: paths can hold payload keys (records), so short, and never a value. */
function pathOf(issue: StandardSchemaV1.Issue): string {
  return (issue.path ?? [])
    .map((part) => String(typeof part === 'object' ? part.key : part))
    .join('.')
    .replace(/[^\w.$-]/g, '')
    .slice(0, 64)
}

/**
 * Runs the `claims` schema on a verified payload. A mismatch is `claim_invalid` naming the paths; a
 * schema that throws or rejects (a zod `transform` that throws, an async refinement that rejects) is
 * `claim_invalid` too, its message and error kept out: they may quote claim values, and they are the
 * app's bug, not something a client should read.
 *
 * @example
 * const claims = await validateClaims<{ tenant: string }>(schema, payload)
 */
export async function validateClaims<Claims>(
  schema: StandardSchemaV1 | undefined,
  payload: Readonly<Record<string, unknown>>,
): Promise<Claims> {
  if (!schema) return payload as Claims
  let result: StandardSchemaV1.Result<unknown>
  try {
    const pending = schema['~standard'].validate(payload)
    result = pending instanceof Promise ? await pending : pending
  } catch {
    throw new AuthError('claim_invalid', 'claims schema failed while validating the payload')
  }
  if (typeof result !== 'object' || result === null)
    throw new AuthError('claim_invalid', 'claims schema gave no result')
  if (result.issues) {
    const paths = result.issues
      .slice(0, MAX_PATHS)
      .map(pathOf)
      .map((path) => (path ? `"${path}"` : 'payload'))
    throw new AuthError(
      'claim_invalid',
      `claims did not match the schema at ${[...new Set(paths)].join(', ')}`,
    )
  }
  return result.value as Claims
}
