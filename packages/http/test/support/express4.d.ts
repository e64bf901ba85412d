// express4 is the `npm:express@4` alias the tests run Express 4 with; its API is typed as Express 5's,
// which it shares for everything these tests use.
declare module 'express4' {
  import express from 'express'
  export default express
}
