/** A demo account. There are no passwords: the login page is a user picker. */
export interface DemoUser {
  readonly subject: string
  readonly name: string
  readonly scopes: readonly string[]
  readonly roles: readonly string[]
}

/**
 * The demo's two accounts: `alice` (role `admin`, reads and writes reports) and `bob` (reads reports).
 *
 * @example
 * DEMO_USERS.bob.scopes // ['read:reports']
 */
export const DEMO_USERS: Readonly<Record<string, DemoUser>> = {
  alice: {
    subject: 'alice',
    name: 'Alice (admin)',
    scopes: ['read:reports', 'write:reports'],
    roles: ['admin'],
  },
  bob: { subject: 'bob', name: 'Bob (reader)', scopes: ['read:reports'], roles: [] },
}

/**
 * The demo user with this name, if there is one.
 *
 * @example
 * findUser('alice')?.roles // ['admin']
 */
export function findUser(name: unknown): DemoUser | undefined {
  return typeof name === 'string' && Object.hasOwn(DEMO_USERS, name) ? DEMO_USERS[name] : undefined
}
