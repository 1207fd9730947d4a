import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { families as f } from '../../../src/metrics/catalogue.js'
import { buildClusterIndex, clusterBodies, clusterSlices } from '../../../src/metrics/cluster-slices.js'
import { createExpositionRenderer } from '../../../src/metrics/exposition.js'
import type { FamilySnapshot } from '../../../src/metrics/types.js'

const clock = { now: () => 1_700_000_000_000 }

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`
}

/** Node series of `clusters` clusters with long node names, so that the block spans several Buffers. */
function nodeFamily(clusters: number, nodesPerCluster: number, interleaved: boolean): FamilySnapshot {
  const samples = []
  const order = []
  for (let c = 0; c < clusters; c++) for (let n = 0; n < nodesPerCluster; n++) order.push([c, n] as const)
  if (interleaved) order.sort((a, b) => a[1] - b[1] || a[0] - b[0])
  for (const [c, n] of order) {
    samples.push({
      labels: [uuid(c), `cluster-${c}`, `crate-data-hot-${'x'.repeat(200)}-${n}`],
      value: c * 1000 + n + 0.5
    })
  }
  return { spec: f.nodeMemoryUsage, samples }
}

function linesOf(buffers: readonly Buffer[]): string {
  return Buffer.concat(buffers).toString('utf8')
}

describe('clusterSlices', () => {
  it.each([
    ['grouped by cluster', false],
    ['interleaved', true]
  ])('gives every cluster exactly its lines of the block (%s, several Buffers)', (_name, interleaved) => {
    const family = nodeFamily(40, 60, interleaved)
    const rendered = createExpositionRenderer({ selfRegistry: new Registry(), clock })
    return rendered.render([family]).then((exposition) => {
      const text = exposition.text.toString()
      const slices = clusterSlices(family)
      expect(slices.size).toBe(40)
      // the block is made of more than one Buffer: the cut across Buffers is exercised
      expect(exposition.text.parts.length).toBeGreaterThan(3)
      for (let c = 0; c < 40; c++) {
        const expected = text
          .split('\n')
          .filter((line) => line.includes(`cluster_id="${uuid(c)}"`))
          .map((line) => `${line}\n`)
          .join('')
        expect(linesOf(slices.get(uuid(c)) ?? [])).toBe(expected)
      }
    })
  })

  it('leaves families without a leading cluster_id out of the index', () => {
    const index = buildClusterIndex([
      { spec: f.organizationInfo, samples: [{ labels: ['org-1', 'Org'], value: 1 }] },
      { spec: f.clusterNodes, samples: [{ labels: [uuid(1), 'one'], value: 3 }] }
    ])
    expect([...index.keys()]).toEqual([uuid(1)])
    expect(index.get(uuid(1))?.map((slice) => slice.spec.name)).toEqual(['cratedb_cloud_cluster_nodes'])
  })
})

describe('clusterBodies', () => {
  it('writes one cluster as /metrics writes it, families sorted, with headers in both formats', async () => {
    const families: FamilySnapshot[] = [
      {
        spec: f.clusterNodes,
        samples: [
          { labels: [uuid(1), 'one'], value: 3 },
          { labels: [uuid(2), 'two'], value: 5 }
        ]
      },
      {
        spec: f.nodeQueries,
        samples: [
          { labels: [uuid(2), 'two', 'n0', 'select'], value: 7 },
          { labels: [uuid(1), 'one', 'n0', 'select'], value: 9 }
        ]
      }
    ]
    const renderer = createExpositionRenderer({ selfRegistry: new Registry(), clock })
    const exposition = await renderer.render(families)
    const bodies = clusterBodies(exposition.clusters.get(uuid(1)) ?? [], {
      text: 'x 1\n',
      openMetrics: 'x 1\n'
    })
    expect(bodies.text.toString()).toBe(
      [
        '# HELP cratedb_cloud_cluster_nodes ' + f.clusterNodes.help,
        '# TYPE cratedb_cloud_cluster_nodes gauge',
        `cratedb_cloud_cluster_nodes{cluster_id="${uuid(1)}",cluster_name="one"} 3`,
        '# HELP cratedb_cloud_node_queries_total ' + f.nodeQueries.help,
        '# TYPE cratedb_cloud_node_queries_total counter',
        `cratedb_cloud_node_queries_total{cluster_id="${uuid(1)}",cluster_name="one",node="n0",query_type="select"} 9`,
        'x 1',
        ''
      ].join('\n')
    )
    const openMetrics = bodies.openMetrics.toString()
    expect(openMetrics).toContain('# TYPE cratedb_cloud_node_queries counter\n')
    expect(openMetrics.endsWith('x 1\n# EOF\n')).toBe(true)
    expect(openMetrics).not.toContain(uuid(2))
  })

  it('leaves cluster families off /metrics with excludeClusterFamilies, but keeps them for /probe', async () => {
    const renderer = createExpositionRenderer({
      selfRegistry: new Registry(),
      clock,
      excludeClusterFamilies: true
    })
    const exposition = await renderer.render([
      { spec: f.organizationInfo, samples: [{ labels: ['org-1', 'Org'], value: 1 }] },
      { spec: f.clusterNodes, samples: [{ labels: [uuid(1), 'one'], value: 3 }] }
    ])
    const text = exposition.text.toString()
    expect(text).toContain('cratedb_cloud_organization_info{')
    expect(text).not.toContain('cratedb_cloud_cluster_nodes')
    expect(exposition.clusters.get(uuid(1))).toHaveLength(1)
  })
})
