import { describe, expect, it } from 'vitest'
import { PartialPollError } from '../../../../src/collectors/collector.js'
import { buildDirectory } from '../../../../src/collectors/inventory/collector.js'
import { MATCH_ALL } from '../../../../src/collectors/inventory/filters.js'
import { createClusterKeeper } from '../../../../src/collectors/org-metrics/keep.js'
import type { FamilySnapshot, FamilySpec } from '../../../../src/metrics/types.js'
import { cluster, organization, project } from '../../../helpers/builders.js'

const ORG = organization()
const filters = { organizations: MATCH_ALL, projects: MATCH_ALL, clusters: MATCH_ALL }
const A = cluster({ id: 'a', name: 'alpha' })
const B = cluster({ id: 'b', name: 'beta' })
const SPEC: FamilySpec = { name: 'x_bytes', help: 'x', type: 'gauge', labelNames: ['cluster_id', 'node'] }
const KEEP_MS = 3_000

const directoryOf = (...clusters: ReturnType<typeof cluster>[]) =>
  buildDirectory([{ organization: ORG, projects: [project()], clusters }], filters, 1)

/** One family with a sample per (cluster, value). */
const families = (...samples: [string, number][]): FamilySnapshot[] => [
  { spec: SPEC, samples: samples.map(([id, value]) => ({ labels: [id, 'data-hot-0'], value })) }
]

/** What a poll publishes: the families returned, or those a PartialPollError carries. */
function publish(complete: () => FamilySnapshot[]): { values: Record<string, number>; partial: boolean } {
  let out: readonly FamilySnapshot[]
  let partial = false
  try {
    out = complete()
  } catch (error) {
    if (!(error instanceof PartialPollError)) throw error
    out = error.families
    partial = true
  }
  const values: Record<string, number> = {}
  for (const sample of out.flatMap((family) => family.samples)) values[sample.labels[0]!] = sample.value
  return { values, partial }
}

describe('createClusterKeeper', () => {
  it('keeps a running cluster without rows at its last good values, until the staleness limit', () => {
    const keeper = createClusterKeeper(ORG.id, KEEP_MS)
    const directory = directoryOf(A, B)
    expect(publish(() => keeper.complete(families(['a', 1], ['b', 2]), directory, 0))).toEqual({
      values: { a: 1, b: 2 },
      partial: false
    })
    // b lacks rows for three polls: its values of the poll at 0 stay, then are withdrawn.
    for (const at of [1_000, 2_000, 3_000])
      expect(publish(() => keeper.complete(families(['a', at]), directory, at))).toEqual({
        values: { a: at, b: 2 },
        partial: true
      })
    expect(publish(() => keeper.complete(families(['a', 4]), directory, 4_000))).toEqual({
      values: { a: 4 },
      partial: true
    })
    expect(publish(() => keeper.complete(families(['a', 5], ['b', 6]), directory, 5_000))).toEqual({
      values: { a: 5, b: 6 },
      partial: false
    })
  })

  it('keeps the values of the last poll that had rows, not of an earlier one', () => {
    const keeper = createClusterKeeper(ORG.id, KEEP_MS)
    const directory = directoryOf(A, B)
    keeper.complete(families(['a', 1], ['b', 1]), directory, 0)
    keeper.complete(families(['a', 2], ['b', 2]), directory, 1_000)
    expect(publish(() => keeper.complete(families(['a', 3]), directory, 2_000)).values).toEqual({
      a: 3,
      b: 2
    })
    // Back with rows, then missing again: the newer values are kept.
    keeper.complete(families(['a', 4], ['b', 4]), directory, 3_000)
    expect(publish(() => keeper.complete(families(['a', 5]), directory, 4_000)).values).toEqual({
      a: 5,
      b: 4
    })
  })

  it('keeps nothing of a cluster that was suspended in between', () => {
    const keeper = createClusterKeeper(ORG.id, KEEP_MS)
    keeper.complete(families(['a', 1], ['b', 1]), directoryOf(A, B), 0)
    // Suspended: no rows, and nothing fails.
    expect(
      publish(() => keeper.complete(families(['a', 2]), directoryOf(A, { ...B, suspended: true }), 1_000))
    ).toEqual({ values: { a: 2 }, partial: false })
    // Running again before its first rows: the poll fails for it, with none of its old values.
    expect(publish(() => keeper.complete(families(['a', 3]), directoryOf(A, B), 2_000))).toEqual({
      values: { a: 3 },
      partial: true
    })
  })
})
