import { describe, expect, it } from 'vitest'
import { frameworkPairs } from '../../src/frameworks/apps.js'

describe('the apps section 6 times', () => {
  it('answer {"subject":"alice"} bare and protected, the protected one from the verified identity', async () => {
    const pairs = await frameworkPairs()
    expect(pairs.map((pair) => pair.name.split(',')[0])).toEqual([
      'Hono',
      'Fastify 5',
      'Next route handler',
      'Express 5 app',
      'Express middleware and guard alone',
    ])
    for (const pair of pairs) {
      expect(await pair.bare()).toBe('{"subject":"alice"}')
      expect(await pair.protected()).toBe('{"subject":"alice"}')
      await pair.close?.()
    }
  })

  it('judge only rows whose bare is the framework itself: the middleware alone is informative', async () => {
    const pairs = await frameworkPairs()
    const judged = pairs
      .filter((pair) => pair.informative === undefined)
      .map((pair) => pair.name.split(',')[0])
    expect(judged).toEqual(['Hono', 'Fastify 5', 'Next route handler', 'Express 5 app'])
    for (const pair of pairs) await pair.close?.()
  })
})
