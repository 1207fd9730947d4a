import type { Cluster, Organization, Project } from '../cloud/types.js'

/**
 * What the inventory collector last saw: the organizations, projects and clusters the key can see
 * after the include/exclude filters. Other collectors read it to know which organizations to poll and
 * to join their readings with cluster names and capacity.
 */
export interface Directory {
  readonly organizations: readonly Organization[]
  readonly projects: ReadonlyMap<string, Project>
  /** By cluster id. */
  readonly clusters: ReadonlyMap<string, DirectoryCluster>
  /** When it was read (ms since epoch); 0 before the first inventory. */
  readonly updatedAt: number
}

export interface DirectoryCluster {
  readonly cluster: Cluster
  readonly organization: Organization
  readonly project: Project | null
}

export const EMPTY_DIRECTORY: Directory = Object.freeze({
  organizations: [],
  projects: new Map(),
  clusters: new Map(),
  updatedAt: 0
})

/** Holds the latest directory; the inventory collector writes it, others read it. */
export interface DirectoryStore {
  current(): Directory
  publish(directory: Directory): void
}

export function createDirectoryStore(): DirectoryStore {
  let directory = EMPTY_DIRECTORY
  return {
    current: () => directory,
    publish: (next) => {
      directory = next
    }
  }
}

export function clustersOfOrganization(directory: Directory, organizationId: string): DirectoryCluster[] {
  return [...directory.clusters.values()].filter((entry) => entry.organization.id === organizationId)
}
