/**
 * Whether the plugins Envelop was given are GraphQL Yoga's: then every HTTP operation goes through
 * the plugins' `onParams` before Yoga builds its context, and the plugin can verify the request
 * there instead of in `onContextBuilding`, a hook whose mere presence takes Envelop off its one-line
 * synchronous context factory (~12k instructions per served request, measured with callgrind).
 *
 * The signal is what only Yoga's server registers, and always does: a request parser
 * (`onRequestParse`), a result processor (`onResultProcess`) and its query-parameter check (an
 * `onParams` other than `own`), none of which Envelop itself knows. Anything else (bare Envelop, a
 * server that takes Yoga's plugins without all three) is not Yoga: the plugin then falls back to
 * `onContextBuilding`, which is correct everywhere, only slower.
 *
 * @example
 * onPluginInit({ plugins, addPlugin }) {
 *   if (!hostedByYoga(plugins, onParams)) addPlugin({ onContextBuilding })
 * }
 */
export function hostedByYoga(plugins: readonly unknown[], own: unknown): boolean {
  let parses = false
  let processes = false
  let checksParams = false
  for (const plugin of plugins) {
    if (typeof plugin !== 'object' || plugin === null) continue
    const hooks = plugin as Record<string, unknown>
    if (typeof hooks.onRequestParse === 'function') parses = true
    if (typeof hooks.onResultProcess === 'function') processes = true
    if (typeof hooks.onParams === 'function' && hooks.onParams !== own) checksParams = true
  }
  return parses && processes && checksParams
}
