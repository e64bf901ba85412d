export type { OtelEventsOptions } from './events.js'
export { createOtelEvents } from './events.js'
