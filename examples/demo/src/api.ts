import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Auth } from '@portcullis/core'

/** Placeholder until the adapters land: no API routes yet. */
export function createApi(_auth: Auth): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async () => false
}
