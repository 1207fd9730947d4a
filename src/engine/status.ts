import type { CloudApi } from '../cloud/api.js'
import type { Directory } from '../collectors/directory.js'
import { families as f } from '../metrics/catalogue.js'
import type { FamilySnapshot, FamilySpec } from '../metrics/types.js'
import type { ClusterStatus, CollectorStatus, StatusReport } from './view.js'

/** What the report says as it is given, plus what its organizations, clusters and collectors come from. */
export interface StatusInput extends Pick<
  StatusReport,
  'version' | 'startedAt' | 'now' | 'ready' | 'problem' | 'apiUrl' | 'shard'
> {
  readonly directory: Directory
  readonly families: readonly FamilySnapshot[]
  readonly collectors: readonly CollectorStatus[]
  readonly api: Pick<CloudApi, 'credentials' | 'usage'>
}

/** The status page's data: built on request from what the exporter already holds, no API call. */
export function buildStatusReport(input: StatusInput): StatusReport {
  const storage = valuesByCluster(input.families, f.clusterStorageUtilization)
  const cpu = valuesByCluster(input.families, f.clusterCpuUtilization)
  const clusters: ClusterStatus[] = [...input.directory.clusters.values()]
    .map(({ cluster, organization, project }) => ({
      id: cluster.id,
      name: cluster.name,
      organizationId: organization.id,
      organizationName: organization.name,
      projectName: project?.name ?? '',
      health: cluster.health.status,
      suspended: cluster.suspended,
      numNodes: cluster.num_nodes,
      runningOperation: cluster.health.running_operation,
      storageUtilization: storage.get(cluster.id) ?? null,
      cpuUtilization: cpu.get(cluster.id) ?? null
    }))
    .sort((a, b) => a.organizationName.localeCompare(b.organizationName) || a.name.localeCompare(b.name))
  const dropped = droppedNodesByOrganization(input.families)
  const usage = input.api.usage()
  return {
    version: input.version,
    startedAt: input.startedAt,
    now: input.now,
    ready: input.ready,
    problem: input.problem,
    apiUrl: input.apiUrl,
    shard: input.shard,
    organizations: input.directory.organizations.map((organization) => ({
      id: organization.id,
      name: organization.name,
      orgMetricsDroppedNodes: dropped.get(organization.id) ?? null
    })),
    clusters,
    collectors: input.collectors,
    api: { requests: usage.requests, errors: usage.errors, credentials: input.api.credentials() }
  }
}

function valuesByCluster(families: readonly FamilySnapshot[], spec: FamilySpec): Map<string, number> {
  const out = new Map<string, number>()
  const index = spec.labelNames.indexOf('cluster_id')
  for (const family of families) {
    if (family.spec.name !== spec.name) continue
    for (const sample of family.samples) {
      const id = sample.labels[index]
      if (id !== undefined) out.set(id, sample.value)
    }
  }
  return out
}

/** Read from the published cratedb_cloud_org_metrics_dropped_nodes, so the page and the metric agree. */
function droppedNodesByOrganization(
  families: readonly FamilySnapshot[]
): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>()
  const spec = f.orgMetricsDroppedNodes
  const organizationIndex = spec.labelNames.indexOf('organization_id')
  const reasonIndex = spec.labelNames.indexOf('reason')
  for (const family of families) {
    if (family.spec.name !== spec.name) continue
    for (const sample of family.samples) {
      const organization = sample.labels[organizationIndex]
      const reason = sample.labels[reasonIndex]
      if (organization === undefined || reason === undefined) continue
      const counts = out.get(organization) ?? {}
      counts[reason] = sample.value
      out.set(organization, counts)
    }
  }
  return out
}
