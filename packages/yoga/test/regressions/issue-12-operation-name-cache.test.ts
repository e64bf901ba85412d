import { envelop, useEngine, useSchema } from '@envelop/core'
import { assertSingleExecutionValue } from '@envelop/testing'
import { useAuth } from '@portcullis/yoga'
import * as graphql from 'graphql'
import { createYoga } from 'graphql-yoga'
import { describe, expect, it } from 'vitest'
import { auth, makeSchema } from '../fixtures.js'
import { listen, post } from '../support/server.js'

// The per-document check cache keyed an absent operation name and `operationName: ""` alike. For
// `""` there is no such operation, so the check found nothing to guard and cached that; the same
// document sent next without a name executed its one anonymous operation with no check at all.
describe('the per-document check cache keys the operation that executes', () => {
  it('in bare Envelop, a document first sent with operationName "" is still checked without one', async () => {
    const getEnveloped = envelop({
      plugins: [useEngine(graphql), useSchema(makeSchema()), useAuth({ auth })],
    })
    const { parse, schema, contextFactory, execute } = getEnveloped({})
    const document = parse('{ me { id } }')
    const run = async (operationName: string | undefined) => {
      const result = await execute({ schema, document, operationName, contextValue: await contextFactory() })
      assertSingleExecutionValue(result)
      return result
    }
    const first = await run('')
    expect(first.data).toBeUndefined()
    const second = await run(undefined)
    expect(second.data).toBeUndefined()
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'token_missing' })
  })

  it('keys apart "" and no name when the document has @include on a variable, too', async () => {
    const getEnveloped = envelop({
      plugins: [useEngine(graphql), useSchema(makeSchema()), useAuth({ auth })],
    })
    const { parse, schema, contextFactory, execute } = getEnveloped({})
    const document = parse('query ($all: Boolean = true) { me @include(if: $all) { id } }')
    for (const operationName of ['', undefined]) {
      const contextValue = await contextFactory()
      const result = await execute({ schema, document, operationName, variableValues: {}, contextValue })
      assertSingleExecutionValue(result)
      expect(result.data ?? undefined, String(operationName)).toBeUndefined()
    }
  })

  it('over HTTP, the same document under "" and under no name answers 401 both times', async () => {
    const { http } = await listen()
    const query = '{ me { id } }'
    const empty = await post(http, { query, operationName: '' })
    expect(empty.body.data ?? null).toBeNull()
    const absent = await post(http, { query })
    expect(absent.status).toBe(401)
    expect(absent.body.errors?.[0]?.extensions).toMatchObject({ reason: 'token_missing' })
  })

  it('keeps one cached check per operation of a multi-operation document', async () => {
    const yoga = createYoga({ schema: makeSchema(), plugins: [useAuth({ auth })], logging: false })
    const query = 'query Open { health } query Guarded { me { id } }'
    const ask = (operationName: string) =>
      yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, operationName }),
      })
    expect((await ask('Open')).status).toBe(200)
    expect((await ask('Guarded')).status).toBe(401)
  })
})
