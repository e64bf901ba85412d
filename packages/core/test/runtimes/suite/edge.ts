// Edge runtime entry (a service-worker style script): POST the fixture, get the suite's results.
import type { Fixture } from './fixture.js'
import { runSuite } from './suite.js'

interface FetchEvent extends Event {
  readonly request: Request
  respondWith(response: Promise<Response>): void
}

addEventListener('fetch', (event) => {
  const fetchEvent = event as FetchEvent
  fetchEvent.respondWith(
    fetchEvent.request.json().then(async (body) => {
      // EdgeVM has no process environment of its own: the variables come with the fixture.
      const fixture = body as Fixture
      return Response.json(await runSuite(fixture, fixture.env))
    }),
  )
})
