import { type Auth, resourceMetadataResponse } from '@portcullis/core'

/**
 * A Yoga server plugin: the `onRequest` hook Yoga runs for every request, before its GraphQL route.
 * Structural, so this package needs no dependency on `graphql-yoga`.
 *
 * @example
 * const plugin: ResourceMetadataPlugin = useResourceMetadata({ auth })
 */
export interface ResourceMetadataPlugin {
  onRequest(payload: { request: Request; endResponse(response: Response): void }): void
}

/**
 * Serves the RFC 9728 protected-resource metadata of `auth` (its `resource` option) at
 * `/.well-known/oauth-protected-resource` plus the resource's path, from a Yoga server. Core builds
 * the answer; this plugin only routes to it. Other requests pass through untouched.
 *
 * @example
 * const yoga = createYoga({ schema, plugins: [useResourceMetadata({ auth }), useAuth({ auth })] })
 * @see https://www.rfc-editor.org/rfc/rfc9728#section-3
 */
export function useResourceMetadata(options: {
  auth: Pick<Auth<unknown>, 'protectedResourceMetadata' | 'resourceMetadataPath'>
}): ResourceMetadataPlugin {
  const { auth } = options
  if (typeof auth?.protectedResourceMetadata !== 'function' || auth.resourceMetadataPath === undefined)
    throw new TypeError('useResourceMetadata: "auth" must come from createAuth({ resource: { ... } })')
  return {
    onRequest({ request, endResponse }) {
      const response = resourceMetadataResponse(auth, request)
      if (response) endResponse(response)
    },
  }
}
