import type { Directory } from '../collectors/directory.js'
import type { ClusterTarget, CollectorStatus, Exposition, ProbeLookup } from './view.js'

/** The clusters of the directory as targets, sorted by organization, project and cluster name. */
export function clusterTargets(directory: Directory): ClusterTarget[] {
  return [...directory.clusters.values()]
    .map(({ cluster, organization, project }) => ({
      clusterId: cluster.id,
      clusterName: cluster.name,
      organizationId: organization.id,
      organizationName: organization.name,
      projectId: cluster.project_id,
      projectName: project?.name ?? '',
      region: project?.region ?? '',
      productName: cluster.product_name ?? '',
      productTier: cluster.product_tier ?? ''
    }))
    .sort(
      (a, b) =>
        a.organizationName.localeCompare(b.organizationName) ||
        a.projectName.localeCompare(b.projectName) ||
        a.clusterName.localeCompare(b.clusterName) ||
        a.clusterId.localeCompare(b.clusterId)
    )
}

export interface ProbeInput {
  readonly clusterId: string
  readonly directory: Directory
  readonly exposition: Exposition
  readonly collectors: readonly CollectorStatus[]
  readonly sharding: { readonly total: number; readonly ordinal: number }
}

/** Collectors whose families carry cluster series. */
const FEEDS_CLUSTERS = new Set(['inventory', 'org_metrics'])

export function probeLookup(input: ProbeInput): ProbeLookup {
  const entry = input.directory.clusters.get(input.clusterId)
  if (entry === undefined) {
    const where =
      input.sharding.total > 1
        ? `; shard ${input.sharding.ordinal} of ${input.sharding.total} lists only its own organizations`
        : ''
    const reason =
      input.directory.updatedAt === 0
        ? 'no inventory yet: the first poll has not completed'
        : `cluster ${input.clusterId} is not in the inventory: unknown to the API key, removed, or excluded by the organization, project or cluster filters${where}`
    return { found: false, reason }
  }
  let oldest: number | null = null
  for (const status of input.collectors) {
    if (!FEEDS_CLUSTERS.has(status.collector)) continue
    if (status.organizationId !== '' && status.organizationId !== entry.organization.id) continue
    if (status.lastSuccessAt === null) continue
    oldest = oldest === null ? status.lastSuccessAt : Math.min(oldest, status.lastSuccessAt)
  }
  return { found: true, exposition: input.exposition, dataTimestamp: oldest }
}
