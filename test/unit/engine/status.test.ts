import { describe, expect, it } from 'vitest'
import { buildDirectory } from '../../../src/collectors/inventory/collector.js'
import { MATCH_ALL } from '../../../src/collectors/inventory/filters.js'
import { createRateMemory, deriveOrgMetrics } from '../../../src/collectors/org-metrics/derive.js'
import { buildStatusReport, type StatusInput } from '../../../src/engine/status.js'
import { cluster, nodeReading, organization, project, reading, valueOf } from '../../helpers/builders.js'

const ORG = organization()
const OTHER = organization({ id: 'org-without-metrics', name: 'Other' })
const C = cluster()
const filters = { organizations: MATCH_ALL, projects: MATCH_ALL, clusters: MATCH_ALL }
const directory = buildDirectory(
  [
    { organization: ORG, projects: [project()], clusters: [C] },
    { organization: OTHER, projects: [], clusters: [] }
  ],
  filters,
  1
)

function input(families: StatusInput['families']): StatusInput {
  return {
    version: '1.0.0',
    startedAt: 0,
    now: 1,
    ready: true,
    problem: null,
    apiUrl: 'https://console.example',
    shard: { ordinal: 0, total: 1 },
    directory,
    families,
    collectors: [],
    api: { credentials: () => [], usage: () => ({ requests: 0, errors: {} }) }
  }
}

describe('buildStatusReport', () => {
  it('reports the org metrics nodes dropped per organization, as the published metric says', () => {
    const families = deriveOrgMetrics(
      ORG.id,
      reading([nodeReading(C.id, 'data-hot-0', {})], {
        droppedNodes: { unknownCluster: 3, overLimit: 17 }
      }),
      directory,
      createRateMemory()
    )
    const metric = (reason: string): number | undefined =>
      valueOf(families, 'cratedb_cloud_org_metrics_dropped_nodes', { organization_id: ORG.id, reason })
    expect(metric('unknown_cluster')).toBe(3)
    expect(metric('limit')).toBe(17)

    const report = buildStatusReport(input(families))
    const byId = new Map(report.organizations.map((entry) => [entry.id, entry]))
    expect(byId.get(ORG.id)?.orgMetricsDroppedNodes).toEqual({ unknown_cluster: 3, limit: 17 })
    // No body read for this organization: unknown, not zero.
    expect(byId.get(OTHER.id)?.orgMetricsDroppedNodes).toBeNull()
  })

  it('says null for every organization before any org metrics body was read', () => {
    const report = buildStatusReport(input([]))
    expect(report.organizations.map((entry) => entry.orgMetricsDroppedNodes)).toEqual([null, null])
  })
})
