// fastify4 is the `npm:fastify@4` alias the tests run Fastify 4 with; typed as Fastify 5, whose API
// it shares for everything these tests use.
declare module 'fastify4' {
  import Fastify from 'fastify'
  export default Fastify
}
