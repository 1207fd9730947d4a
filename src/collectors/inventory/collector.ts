import type { Cluster, Organization, Project } from '../../cloud/types.js'
import { HEALTH_STATUSES } from '../../cloud/types.js'
import { families as f } from '../../metrics/catalogue.js'
import type { FamilySnapshot } from '../../metrics/types.js'
import type { Collector, CollectorDefinition, CollectorDeps } from '../collector.js'
import type { Directory, DirectoryCluster, DirectoryStore } from '../directory.js'
import { FamilyBuilder } from '../family-builder.js'
import { COLLECTOR_DEFAULTS } from '../names.js'
import { ownsOrganization, type Sharding } from '../shard.js'
import { compileFilter, type CompiledFilter } from './filters.js'

export interface InventoryFilters {
  readonly organizations: CompiledFilter
  readonly projects: CompiledFilter
  readonly clusters: CompiledFilter
}

export interface InventoryDeps extends CollectorDeps {
  readonly directory: DirectoryStore
  readonly filters: InventoryFilters
  /** Only the organizations of this shard are listed further and published. */
  readonly sharding?: Sharding
}

/** How long a project listing is reused. */
export const PROJECT_REFRESH_MS = 10 * 60_000

const FAMILIES = [
  f.organizationInfo,
  f.clusterInfo,
  f.clusterNodes,
  f.clusterHealthStatus,
  f.clusterHealthLastSeen,
  f.clusterSuspended,
  f.clusterDeletionProtected,
  f.clusterRunningOperation,
  f.clusterCpusPerNode,
  f.clusterMemoryPerNode,
  f.clusterHeapPerNode,
  f.clusterStorageCapacity
]

/**
 * Organizations -> projects -> clusters the key can see. One call for the organizations, then two per
 * organization (projects, clusters). Publishes the directory the other collectors join with.
 */
export function createInventoryCollector(deps: InventoryDeps): Collector {
  // Projects change rarely: they are listed again when a cluster names an unknown project, or after
  // PROJECT_REFRESH_MS, which saves one call per organization on most polls.
  const projectCache = new Map<string, { projects: Project[]; at: number }>()
  async function projectsOf(
    organizationId: string,
    clusters: Cluster[],
    signal: AbortSignal
  ): Promise<Project[]> {
    const cached = projectCache.get(organizationId)
    const now = deps.clock.now()
    if (
      cached !== undefined &&
      now - cached.at < PROJECT_REFRESH_MS &&
      clusters.every((cluster) => cached.projects.some((project) => project.id === cluster.project_id))
    ) {
      return cached.projects
    }
    const projects = await deps.api.organizationProjects(organizationId, signal)
    projectCache.set(organizationId, { projects, at: now })
    return projects
  }
  return {
    name: 'inventory',
    organizationId: '',
    async collect(signal) {
      const sharding = deps.sharding
      const organizations = (await deps.api.organizations(signal)).filter(
        (org) =>
          deps.filters.organizations.matches(org.name, org.id) &&
          (sharding === undefined || ownsOrganization(sharding, org.id))
      )
      const perOrganization = await Promise.all(
        organizations.map(async (organization) => {
          const clusters = await deps.api.organizationClusters(organization.id, signal)
          const projects = await projectsOf(organization.id, clusters, signal)
          return { organization, projects, clusters }
        })
      )
      for (const id of projectCache.keys()) {
        if (!organizations.some((organization) => organization.id === id)) projectCache.delete(id)
      }
      const directory = buildDirectory(perOrganization, deps.filters, deps.clock.now())
      deps.directory.publish(directory)
      return inventoryFamilies(directory)
    }
  }
}

interface OrganizationListing {
  organization: Organization
  projects: Project[]
  clusters: Cluster[]
}

export function buildDirectory(
  listings: readonly OrganizationListing[],
  filters: InventoryFilters,
  now: number
): Directory {
  const projects = new Map<string, Project>()
  const clusters = new Map<string, DirectoryCluster>()
  for (const { organization, projects: orgProjects, clusters: orgClusters } of listings) {
    for (const project of orgProjects) {
      if (filters.projects.matches(project.name, project.id)) projects.set(project.id, project)
    }
    for (const cluster of orgClusters) {
      const project = projects.get(cluster.project_id) ?? null
      const projectKnown = orgProjects.some((candidate) => candidate.id === cluster.project_id)
      // A cluster of a project that the project filter excluded is excluded with it.
      if (projectKnown && project === null) continue
      if (!filters.clusters.matches(cluster.name, cluster.id)) continue
      clusters.set(cluster.id, { cluster, organization, project })
    }
  }
  return {
    organizations: listings.map((listing) => listing.organization),
    projects,
    clusters,
    updatedAt: now
  }
}

export function inventoryFamilies(directory: Directory): FamilySnapshot[] {
  const out = new FamilyBuilder(FAMILIES)
  for (const organization of directory.organizations) {
    out.add(f.organizationInfo, [organization.id, organization.name], 1)
  }
  for (const { cluster, organization, project } of directory.clusters.values()) {
    const id = [cluster.id, cluster.name]
    out.add(
      f.clusterInfo,
      [
        cluster.id,
        cluster.name,
        organization.id,
        organization.name,
        cluster.project_id,
        project?.name ?? '',
        project?.region ?? '',
        cluster.crate_version ?? '',
        cluster.channel ?? '',
        cluster.product_name ?? '',
        cluster.product_tier ?? ''
      ],
      1
    )
    out.add(f.clusterNodes, id, cluster.num_nodes)
    for (const status of HEALTH_STATUSES) {
      out.add(f.clusterHealthStatus, [...id, status], cluster.health.status === status ? 1 : 0)
    }
    out.add(f.clusterHealthLastSeen, id, parseNaiveUtc(cluster.health.last_seen))
    out.add(f.clusterSuspended, id, cluster.suspended ? 1 : 0)
    if (cluster.deletion_protected !== null)
      out.add(f.clusterDeletionProtected, id, cluster.deletion_protected ? 1 : 0)
    if (cluster.health.running_operation !== '') {
      out.add(f.clusterRunningOperation, [...id, cluster.health.running_operation], 1)
    }
    const specs = cluster.hardware_specs
    if (specs !== null) {
      out.add(f.clusterCpusPerNode, id, specs.cpus_per_node)
      out.add(f.clusterMemoryPerNode, id, specs.memory_per_node_bytes)
      out.add(f.clusterHeapPerNode, id, specs.heap_size_bytes)
      out.add(f.clusterStorageCapacity, id, clusterCapacityBytes(cluster))
    }
  }
  return out.build()
}

export function clusterCapacityBytes(cluster: Cluster): number | null {
  const perNode = cluster.hardware_specs?.disk_size_per_node_bytes ?? null
  return perNode === null ? null : perNode * cluster.num_nodes
}

/** health.last_seen is a naive ISO timestamp without zone (e.g. 2024-09-27T16:59:02.507048): read as UTC. */
export function parseNaiveUtc(text: string | null): number | null {
  if (text === null || text === '') return null
  const hasZone = /(?:Z|[+-]\d\d:?\d\d)$/.test(text)
  // Date.parse reads at most milliseconds; drop extra fraction digits.
  const trimmed = text.replace(/(\.\d{3})\d+/, '$1')
  const ms = Date.parse(hasZone ? trimmed : `${trimmed}Z`)
  return Number.isNaN(ms) ? null : ms / 1000
}

export const inventoryDefinition: CollectorDefinition = {
  name: 'inventory',
  scope: 'global',
  defaults: COLLECTOR_DEFAULTS.inventory,
  families: FAMILIES,
  create: (context) =>
    createInventoryCollector({
      ...context,
      filters: {
        organizations: compileFilter(context.config.filters.organizations),
        projects: compileFilter(context.config.filters.projects),
        clusters: compileFilter(context.config.filters.clusters)
      },
      sharding: context.config.sharding
    })
}
