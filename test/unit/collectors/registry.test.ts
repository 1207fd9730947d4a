import { describe, expect, it } from 'vitest'
import { COLLECTOR_DEFAULTS, COLLECTOR_NAMES } from '../../../src/collectors/names.js'
import { COLLECTORS, registryProblems } from '../../../src/collectors/registry.js'
import { families as catalogue } from '../../../src/metrics/catalogue.js'

describe('collector registry', () => {
  it('has exactly one definition per collector name, in the order of the names', () => {
    expect(registryProblems()).toEqual([])
    expect(COLLECTORS.map((definition) => definition.name)).toEqual([...COLLECTOR_NAMES])
  })

  it('gives each definition its row of defaults, which the configuration reads too', () => {
    for (const definition of COLLECTORS) expect(definition.defaults).toBe(COLLECTOR_DEFAULTS[definition.name])
  })

  it('lets no two collectors claim the same family, and claims only catalogued families', () => {
    const known = new Set(Object.values(catalogue))
    const seen = new Map<string, string>()
    for (const definition of COLLECTORS) {
      expect(definition.families.length).toBeGreaterThan(0)
      for (const spec of definition.families) {
        expect(known.has(spec), `${definition.name}: ${spec.name}`).toBe(true)
        expect(seen.get(spec.name), spec.name).toBeUndefined()
        seen.set(spec.name, definition.name)
      }
    }
  })
})
