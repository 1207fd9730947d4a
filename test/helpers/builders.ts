import type { Cluster, Organization, Project } from '../../src/cloud/types.js'
import {
  emptyOrgMetricsReading,
  type NodeReading,
  type OrgMetricsReading
} from '../../src/collectors/org-metrics/types.js'
import type { FamilySnapshot } from '../../src/metrics/types.js'

export function organization(overrides: Partial<Organization> = {}): Organization {
  return { id: 'a0df2925-cc73-4365-8a10-7ef847632b81', name: 'my-org', plan_type: 3, ...overrides }
}

export function project(overrides: Partial<Project> = {}): Project {
  return {
    id: '035f1161-402e-44b4-9073-0749586091e0',
    name: 'my-project',
    organization_id: 'a0df2925-cc73-4365-8a10-7ef847632b81',
    region: 'aks1.westeurope.azure',
    ...overrides
  }
}

export function cluster(overrides: Partial<Cluster> = {}): Cluster {
  return {
    id: '8d6a7c3c-61d5-11e9-a639-34e12d2331a1',
    name: 'my-cluster',
    project_id: '035f1161-402e-44b4-9073-0749586091e0',
    crate_version: '5.9.3',
    channel: 'stable',
    product_name: 'cr1',
    product_tier: 'default',
    product_unit: 2,
    num_nodes: 3,
    suspended: false,
    deletion_protected: false,
    hardware_specs: {
      cpus_per_node: 2,
      disk_size_per_node_bytes: 34359738368,
      disk_type: 'premium',
      disks_per_node: 1,
      heap_size_bytes: 3758096384,
      memory_per_node_bytes: 7516192768
    },
    health: { status: 'GREEN', running_operation: '', last_seen: '2024-10-01T12:34:56.789012' },
    last_async_operation: null,
    ...overrides
  }
}

export function nodeReading(
  clusterId: string,
  node: string,
  overrides: Partial<NodeReading> = {}
): NodeReading {
  return { clusterId, node, storageUsedBytes: 0, shards: 0, queries: new Map(), ...overrides }
}

export function reading(nodes: NodeReading[], overrides: Partial<OrgMetricsReading> = {}): OrgMetricsReading {
  return {
    ...emptyOrgMetricsReading(),
    nodes: new Map(nodes.map((node) => [`${node.clusterId}/${node.node}`, node])),
    ...overrides
  }
}

/** Value of the one sample of `name` whose labels include all of `match`; undefined when none. */
export function valueOf(
  families: readonly FamilySnapshot[],
  name: string,
  match: Record<string, string>
): number | undefined {
  const found = samplesOf(families, name).filter((sample) =>
    Object.entries(match).every(([label, value]) => sample.labels[label] === value)
  )
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(match)}`)
  return found[0]?.value
}

export function samplesOf(
  families: readonly FamilySnapshot[],
  name: string
): { labels: Record<string, string>; value: number }[] {
  return families
    .filter((family) => family.spec.name === name)
    .flatMap((family) =>
      family.samples.map((sample) => ({
        labels: Object.fromEntries(family.spec.labelNames.map((label, i) => [label, sample.labels[i] ?? ''])),
        value: sample.value
      }))
    )
}
