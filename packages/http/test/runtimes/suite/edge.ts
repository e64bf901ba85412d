// Edge runtime entry (a service-worker style script): any request gets the suite's results.
import { runSuite } from './suite.js'

interface FetchEvent extends Event {
  readonly request: Request
  respondWith(response: Promise<Response>): void
}

addEventListener('fetch', (event) => {
  ;(event as FetchEvent).respondWith(runSuite().then((results) => Response.json(results)))
})
