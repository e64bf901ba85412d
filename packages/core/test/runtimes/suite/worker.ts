// workerd entry: POST the fixture, get the suite's results.
import type { Fixture } from './fixture.js'
import { runSuite } from './suite.js'

export default {
  // `env` holds the Worker's bindings: sessionsFromEnv reads them as a Worker user would.
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    return Response.json(await runSuite((await request.json()) as Fixture, env))
  },
}
