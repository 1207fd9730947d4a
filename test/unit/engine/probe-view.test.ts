import { describe, expect, it } from 'vitest'
import type { Directory } from '../../../src/collectors/directory.js'
import { clusterTargets, probeLookup } from '../../../src/engine/probe-view.js'
import type { CollectorStatus, Exposition } from '../../../src/engine/view.js'
import { ExpositionBody } from '../../../src/metrics/body.js'
import { cluster, organization, project } from '../../helpers/builders.js'

const ORG = organization()
const OTHER = organization({ id: 'b1df2925-cc73-4365-8a10-7ef847632b82', name: 'other' })
const CLUSTER = cluster()
const directory: Directory = {
  organizations: [ORG],
  projects: new Map([[project().id, project()]]),
  clusters: new Map([[CLUSTER.id, { cluster: CLUSTER, organization: ORG, project: project() }]]),
  updatedAt: 1_000
}
const exposition: Exposition = {
  text: ExpositionBody.of(''),
  openMetrics: ExpositionBody.of(''),
  renderedAt: 0,
  generation: 1,
  clusters: new Map()
}

function status(collector: string, organizationId: string, lastSuccessAt: number | null): CollectorStatus {
  return {
    collector,
    organizationId,
    intervalSeconds: 60,
    lastRunAt: lastSuccessAt,
    lastSuccessAt,
    lastDurationSeconds: 1,
    success: lastSuccessAt !== null,
    lastErrorReason: null,
    lastErrorCode: null,
    lastErrorMessage: null,
    nextRunAt: null,
    stale: false
  }
}

const unsharded = { total: 1, ordinal: 0 }

describe('probeLookup', () => {
  it("dates a cluster's data by the oldest success of the inventory and its organization's org_metrics", () => {
    const lookup = probeLookup({
      clusterId: CLUSTER.id,
      directory,
      exposition,
      sharding: unsharded,
      collectors: [
        status('inventory', '', 50_000),
        status('org_metrics', ORG.id, 20_000),
        status('org_metrics', OTHER.id, 5_000),
        status('quotas', ORG.id, 1_000)
      ]
    })
    expect(lookup).toEqual({ found: true, exposition, dataTimestamp: 20_000 })
  })

  it('says why an id is unknown: no inventory yet, not in the inventory, another shard', () => {
    const lookup = (dir: Directory, sharding = unsharded) =>
      probeLookup({ clusterId: 'x', directory: dir, exposition, sharding, collectors: [] })
    expect(lookup({ ...directory, updatedAt: 0 })).toEqual({
      found: false,
      reason: 'no inventory yet: the first poll has not completed'
    })
    const unknown = lookup(directory)
    expect(unknown.found).toBe(false)
    if (!unknown.found) {
      expect(unknown.reason).toContain('cluster x is not in the inventory')
      expect(unknown.reason).toContain('filters')
      expect(unknown.reason).not.toContain('shard')
    }
    const sharded = lookup(directory, { total: 3, ordinal: 1 })
    if (!sharded.found) expect(sharded.reason).toContain('shard 1 of 3 lists only its own organizations')
  })
})

describe('clusterTargets', () => {
  it('names each cluster with its organization, project, region and product', () => {
    expect(clusterTargets(directory)).toEqual([
      {
        clusterId: CLUSTER.id,
        clusterName: 'my-cluster',
        organizationId: ORG.id,
        organizationName: 'my-org',
        projectId: project().id,
        projectName: 'my-project',
        region: 'aks1.westeurope.azure',
        productName: 'cr1',
        productTier: 'default'
      }
    ])
  })
})
