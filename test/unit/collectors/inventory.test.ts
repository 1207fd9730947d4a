import { describe, expect, it } from 'vitest'
import { compileFilter, MATCH_ALL } from '../../../src/collectors/inventory/filters.js'
import {
  buildDirectory,
  inventoryFamilies,
  parseNaiveUtc
} from '../../../src/collectors/inventory/collector.js'
import { cluster, organization, project, samplesOf, valueOf } from '../../helpers/builders.js'

const all = { organizations: MATCH_ALL, projects: MATCH_ALL, clusters: MATCH_ALL }

describe('inventory families', () => {
  const yellow = cluster({
    id: '22222222-2222-4333-8444-555555555555',
    name: 'busy',
    num_nodes: 2,
    health: { status: 'YELLOW', running_operation: 'SCALE', last_seen: '2024-10-01T12:00:00' }
  })
  const directory = buildDirectory(
    [{ organization: organization(), projects: [project()], clusters: [cluster(), yellow] }],
    all,
    1
  )
  const out = inventoryFamilies(directory)

  it('exposes metadata joined with organization and project names', () => {
    const info = samplesOf(out, 'cratedb_cloud_cluster_info').find(
      (s) => s.labels['cluster_name'] === 'my-cluster'
    )
    expect(info?.labels).toMatchObject({
      organization_name: 'my-org',
      project_name: 'my-project',
      region: 'aks1.westeurope.azure',
      crate_version: '5.9.3',
      product_name: 'cr1'
    })
  })

  it('exposes health as a state set with exactly one status at 1', () => {
    const states = samplesOf(out, 'cratedb_cloud_cluster_health_status').filter(
      (s) => s.labels['cluster_name'] === 'busy'
    )
    expect(states).toHaveLength(6)
    expect(states.filter((s) => s.value === 1).map((s) => s.labels['status'])).toEqual(['YELLOW'])
  })

  it('exposes capacity as disk size per node times nodes, and the running operation', () => {
    expect(valueOf(out, 'cratedb_cloud_cluster_storage_capacity_bytes', { cluster_name: 'busy' })).toBe(
      2 * 34359738368
    )
    expect(
      valueOf(out, 'cratedb_cloud_cluster_running_operation', { cluster_name: 'busy', operation: 'SCALE' })
    ).toBe(1)
    expect(samplesOf(out, 'cratedb_cloud_cluster_running_operation')).toHaveLength(1)
    expect(
      valueOf(out, 'cratedb_cloud_cluster_health_last_seen_timestamp_seconds', { cluster_name: 'busy' })
    ).toBe(Date.UTC(2024, 9, 1, 12) / 1000)
  })

  it('handles clusters without hardware specs', () => {
    const bare = buildDirectory(
      [
        { organization: organization(), projects: [project()], clusters: [cluster({ hardware_specs: null })] }
      ],
      all,
      1
    )
    const families = inventoryFamilies(bare)
    expect(valueOf(families, 'cratedb_cloud_cluster_nodes', {})).toBe(3)
    expect(samplesOf(families, 'cratedb_cloud_cluster_storage_capacity_bytes')).toHaveLength(0)
  })
})

describe('filters', () => {
  it('keeps only included clusters and drops excluded ones, by name or id', () => {
    const clusters = [
      cluster({ id: '1', name: 'prod-a' }),
      cluster({ id: '2', name: 'prod-b' }),
      cluster({ id: '3', name: 'dev' })
    ]
    const filters = { ...all, clusters: compileFilter({ include: ['prod-.*'], exclude: ['2'] }) }
    const directory = buildDirectory(
      [{ organization: organization(), projects: [project()], clusters }],
      filters,
      1
    )
    expect([...directory.clusters.values()].map((entry) => entry.cluster.name)).toEqual(['prod-a'])
  })

  it('drops the clusters of an excluded project', () => {
    const other = project({ id: 'p2', name: 'sandbox' })
    const filters = { ...all, projects: compileFilter({ include: [], exclude: ['sandbox'] }) }
    const directory = buildDirectory(
      [
        {
          organization: organization(),
          projects: [project(), other],
          clusters: [cluster({ id: 'a', name: 'a' }), cluster({ id: 'b', name: 'b', project_id: 'p2' })]
        }
      ],
      filters,
      1
    )
    expect([...directory.clusters.keys()]).toEqual(['a'])
  })
})

describe('parseNaiveUtc', () => {
  it('reads the API naive timestamp with microseconds as UTC', () => {
    expect(parseNaiveUtc('2024-09-27T16:59:02.507048')).toBe(Date.UTC(2024, 8, 27, 16, 59, 2, 507) / 1000)
  })
  it('accepts a zone when one is given and rejects garbage', () => {
    expect(parseNaiveUtc('2024-09-27T16:59:02+02:00')).toBe(Date.UTC(2024, 8, 27, 14, 59, 2) / 1000)
    expect(parseNaiveUtc('yesterday')).toBeNull()
    expect(parseNaiveUtc(null)).toBeNull()
  })
})
