// Cloudflare Workers entry (module syntax): any request gets the suite's results.
import { runSuite } from './suite.js'

export default {
  async fetch(): Promise<Response> {
    return Response.json(await runSuite())
  },
}
