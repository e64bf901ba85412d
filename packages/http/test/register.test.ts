import type { Identity } from '@portcullis/core'
import type { RegisteredClaims } from '@portcullis/http'
import type {} from '@portcullis/http/express'
import type {} from '@portcullis/http/fastify'
import type { Request } from 'express'
import type { FastifyRequest } from 'fastify'
import { describe, expectTypeOf, it } from 'vitest'

type AppClaims = { sub: string; tenant: string }

// What an app writes once, so req.identity and request.identity carry its claims type.
declare module '@portcullis/http' {
  interface Register {
    claims: AppClaims
  }
}

describe('Register', () => {
  it('types the claims of req.identity (Express) and request.identity (Fastify)', () => {
    expectTypeOf<RegisteredClaims>().toEqualTypeOf<AppClaims>()
    expectTypeOf<Request['identity']>().toEqualTypeOf<Identity<AppClaims> | null>()
    expectTypeOf<FastifyRequest['identity']>().toEqualTypeOf<Identity<AppClaims> | null>()
  })
})
