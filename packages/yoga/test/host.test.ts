import { useEngine, useSchema } from '@envelop/core'
import * as graphql from 'graphql'
import { createYoga, type Plugin } from 'graphql-yoga'
import { describe, expect, it } from 'vitest'
import { hostedByYoga } from '../src/host.js'
import { makeSchema } from './fixtures.js'

/** The plugins Yoga hands Envelop, as a plugin sees them in `onPluginInit`. */
function yogaPlugins(): unknown[] {
  let seen: unknown[] = []
  const probe: Plugin = {
    onPluginInit({ plugins }) {
      seen = plugins
    },
  }
  createYoga({ schema: makeSchema(), plugins: [probe], logging: false })
  return seen
}

describe('hostedByYoga', () => {
  it("recognises Yoga's plugins", () => {
    expect(hostedByYoga(yogaPlugins(), undefined)).toBe(true)
  })

  it('does not take bare Envelop for Yoga', () => {
    expect(hostedByYoga([useEngine(graphql), useSchema(makeSchema())], undefined)).toBe(false)
  })

  it('needs all three of Yoga-only hooks, the onParams one from another plugin', () => {
    const onParams = () => {}
    const parser = { onRequestParse: () => {} }
    const processor = { onResultProcess: () => {} }
    expect(hostedByYoga([parser, processor, { onParams }], undefined)).toBe(true)
    expect(hostedByYoga([parser, processor, { onParams }], onParams)).toBe(false)
    expect(hostedByYoga([processor, { onParams: () => {} }], onParams)).toBe(false)
    expect(hostedByYoga([parser, { onParams: () => {} }], onParams)).toBe(false)
    expect(hostedByYoga([null, 'x', parser, processor], onParams)).toBe(false)
  })
})
