import { describe, expect, it } from 'vitest'
import { PartialPollError } from '../../../../src/collectors/collector.js'
import { MATCH_ALL } from '../../../../src/collectors/inventory/filters.js'
import { buildDirectory } from '../../../../src/collectors/inventory/collector.js'
import { createClusterKeeper, NAMED_MISSING_CLUSTERS } from '../../../../src/collectors/org-metrics/keep.js'
import { cluster, organization, project } from '../../../helpers/builders.js'

const ORG = organization()

function directoryOf(count: number) {
  const clusters = Array.from({ length: count }, (_, k) =>
    cluster({ id: `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`, name: `cluster-${k}` })
  )
  const all = { organizations: MATCH_ALL, projects: MATCH_ALL, clusters: MATCH_ALL }
  return buildDirectory([{ organization: ORG, projects: [project()], clusters }], all, 0)
}

function failure(count: number): PartialPollError {
  const keeper = createClusterKeeper(ORG.id, 180_000)
  try {
    keeper.complete([], directoryOf(count), 0)
  } catch (error) {
    if (error instanceof PartialPollError) return error
    throw error
  }
  throw new Error('the poll did not fail')
}

describe('a poll lacking running clusters', () => {
  it('names each of a few lacking clusters', () => {
    const { message } = failure(3)
    for (const k of [0, 1, 2])
      expect(message).toContain(`cluster-${k} (00000000-0000-4000-8000-00000000000${k})`)
    expect(message).not.toContain('more')
  })

  it('names the first ten of thousands and counts the rest, so the message stays short', () => {
    const { message } = failure(5000)
    expect(message).toContain('cluster-9 (')
    expect(message).not.toContain('cluster-10 (')
    expect(message).toContain(`and ${5000 - NAMED_MISSING_CLUSTERS} more in the body`)
    expect(message.length).toBeLessThan(1000)
  })
})
