import type { MatchOptions } from '@portcullis/core'

/**
 * Requirements a procedure declares in its `meta`, enforced by `publicProcedure` and `protectedProcedure`.
 * Declarations add up: each `.meta({ auth })` on a procedure's chain is one more requirement that
 * must hold, never a replacement for an earlier one.
 *
 * @example
 * protectedProcedure.meta({ auth: { roles: ['auditor', 'admin'], mode: 'any' } })
 */
export interface AuthRequirements {
  /** Scopes the token must hold. */
  scopes?: readonly string[]
  /** Roles the token must hold. */
  roles?: readonly string[]
  /** All of them (the default) or at least one, for scopes and roles alike. @default 'all' */
  mode?: MatchOptions['mode']
}

/**
 * The `meta` shape to declare with `initTRPC.meta<AuthMeta>()`, so procedures can state what they need.
 *
 * @example
 * const t = initTRPC.context<typeof createContext>().meta<AuthMeta>().create()
 * protectedProcedure.meta({ auth: { scopes: ['read:reports'] } }).query(() => reports)
 */
export interface AuthMeta {
  /** Scopes and roles this procedure requires; any declared requirement also requires an identity. */
  auth?: AuthRequirements
}

// Symbol.for, so two copies of this package in one app read each other's layers. tRPC's shallow
// meta merge copies symbol-keyed properties along with the rest.
const LAYERS: unique symbol = Symbol.for('portcullis.trpc.authLayers') as never

type LayeredMeta = { auth?: unknown; [LAYERS]?: readonly AuthRequirements[] }

const KEYS = new Set(['scopes', 'roles', 'mode'])
const isList = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string')

/** Checks one `meta.auth` by hand, for JavaScript callers: a typo like `role:` must not be ignored. */
export function checkRequirements(value: unknown): AuthRequirements {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError('"meta.auth" must be an object like { scopes, roles, mode }')
  for (const key of Object.keys(value))
    if (!KEYS.has(key))
      throw new TypeError(`"meta.auth" has an unknown key "${key}" (known: scopes, roles, mode)`)
  const { scopes, roles, mode } = value as Record<string, unknown>
  if (scopes !== undefined && !isList(scopes))
    throw new TypeError('"meta.auth.scopes" must be an array of strings')
  if (roles !== undefined && !isList(roles))
    throw new TypeError('"meta.auth.roles" must be an array of strings')
  if (mode !== undefined && mode !== 'all' && mode !== 'any')
    throw new TypeError(`"meta.auth.mode" must be 'all' or 'any'`)
  return value as AuthRequirements
}

/** The layers recorded on a meta object so far, the visible `auth` included. */
function layersOf(meta: unknown): readonly AuthRequirements[] {
  if (typeof meta !== 'object' || meta === null) return []
  const { auth, [LAYERS]: layers = [] } = meta as LayeredMeta
  // A meta set where nothing recorded it (defaultMeta, a builder not made here) still counts.
  return auth === undefined || layers.includes(auth as AuthRequirements)
    ? layers
    : [...layers, checkRequirements(auth)]
}

const known = new WeakMap<object, readonly AuthRequirements[]>()
const NONE: readonly AuthRequirements[] = []

/**
 * Every requirement a procedure's meta declares: each `.meta({ auth })` made on its chain, plus the
 * `auth` visible in the final meta. Checked once per meta object (tRPC hands every call of a
 * procedure the same one), so a call pays one WeakMap look-up.
 */
export function requirementsOf(meta: object | undefined): readonly AuthRequirements[] {
  if (meta === undefined) return NONE
  let layers = known.get(meta)
  if (layers === undefined) {
    layers = layersOf(meta)
    known.set(meta, layers)
  }
  return layers
}

interface BuilderLike {
  readonly _def: { readonly meta?: object }
  meta(meta: object): BuilderLike
  concat(builder: BuilderLike): BuilderLike
  query: unknown
}

const isBuilder = (value: unknown): value is BuilderLike =>
  typeof value === 'object' &&
  value !== null &&
  '_def' in value &&
  typeof (value as BuilderLike).meta === 'function' &&
  typeof (value as BuilderLike).query === 'function'

const wrapped = new WeakMap<object, object>()

/**
 * Wraps a procedure builder so that `.meta()` and `.concat()` record every `auth` declared on the
 * chain, which tRPC's shallow merge would otherwise replace: `adminProcedure.meta({ auth: { scopes } })`
 * keeps the admin role. Every builder derived from the result is wrapped too. Work done when the
 * router is built; a call only reads the recorded list (see {@link requirementsOf}).
 */
export function layered<T extends object>(builder: T): T {
  if (!isBuilder(builder)) return builder
  const cached = wrapped.get(builder)
  if (cached) return cached as T
  const proxy = new Proxy(builder, {
    get(target, property, receiver) {
      if (property === 'meta')
        return (meta: object) => {
          const next = meta as LayeredMeta
          const layers = [...layersOf(target._def.meta)]
          if (next?.auth !== undefined) layers.push(checkRequirements(next.auth))
          return layered(target.meta({ ...next, [LAYERS]: layers }))
        }
      if (property === 'concat' || property === 'unstable_concat')
        return (other: BuilderLike) => {
          const merged = (target[property as 'concat'] as BuilderLike['concat']).call(target, other)
          const layers = [...layersOf(target._def.meta), ...layersOf(other?._def?.meta)]
          return layered(layers.length > 0 ? merged.meta({ [LAYERS]: layers }) : merged)
        }
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => layered(value.apply(target, args))
    },
  })
  wrapped.set(builder, proxy)
  return proxy as T
}
