// workerd entry: POST the fixture, get the suite's results.
import type { Fixture } from './fixture.js'
import { runSuite } from './suite.js'

export default {
  async fetch(request: Request): Promise<Response> {
    return Response.json(await runSuite((await request.json()) as Fixture))
  },
}
