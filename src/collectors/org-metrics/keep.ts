import type { TextSink } from '../../cloud/api.js'
import { ENDPOINTS } from '../../cloud/endpoints.js'
import type { OrgMetricsReading } from './types.js'
import type { FamilySnapshot, Sample } from '../../metrics/types.js'
import { PartialPollError } from '../collector.js'
import type { Directory } from '../directory.js'

/**
 * Never replace good data with worse: a 200 answer of the organization metrics endpoint is fresh data
 * only for the clusters it has rows of. A body that is not organization metrics at all fails the poll
 * (the last good data stays, as for any failed poll); a running cluster without a row keeps its last
 * good series, up to the staleness limit, and fails the poll for it.
 */

/**
 * The reader, refusing at the end of the body what must not be published; the API client counts a
 * refusal as a decode failure. Every line of the format ends with a line feed, so a body that ends
 * inside a line was cut short, and its last value may be cut short too. The API answers 204 when it
 * has no data, so a 200 without a single row of a CrateDB node or cluster is garbage, an empty body or
 * an HTML page.
 */
export function publishableReading(sink: TextSink<OrgMetricsReading>): TextSink<OrgMetricsReading> {
  return {
    write: (chunk) => sink.write(chunk),
    end() {
      const reading = sink.end()
      if (reading.endsInsideLine)
        throw new Error(
          `the body ends inside line ${reading.lines}, without a line feed: it was cut short after ${reading.bytes} bytes`
        )
      if (reading.nodes.size === 0 && reading.clusterHealth.size === 0)
        throw new Error(
          `the body has no row of a CrateDB node or cluster (${reading.bytes} bytes, ${reading.lines} lines, ${reading.invalidLines} invalid): not organization metrics`
        )
      return reading
    }
  }
}

const RUNNING_HEALTH: ReadonlySet<string> = new Set(['GREEN', 'YELLOW', 'RED'])
// A cluster being created or suspended may have no rows yet, or none any more.
const ROWLESS_OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'SUSPEND'])

/** The organization's clusters that the inventory lists as running, by id, with their names. */
export function runningClusters(directory: Directory, organizationId: string): Map<string, string> {
  const running = new Map<string, string>()
  for (const { cluster, organization } of directory.clusters.values()) {
    if (organization.id !== organizationId || cluster.suspended) continue
    if (!RUNNING_HEALTH.has(cluster.health.status)) continue
    if (ROWLESS_OPERATIONS.has(cluster.health.running_operation)) continue
    running.set(cluster.id, cluster.name)
  }
  return running
}

interface KeptCluster {
  readonly at: number
  /** By family name. */
  readonly rows: Map<string, { snapshot: FamilySnapshot; samples: Sample[] }>
}

export interface ClusterKeeper {
  /**
   * Takes the families of one poll at `now`: remembers them, and adds the last good series of every
   * running cluster without rows, if not older than the staleness limit. Throws a PartialPollError
   * carrying the families to publish when a running cluster had no rows.
   */
  complete(families: FamilySnapshot[], directory: Directory, now: number): FamilySnapshot[]
}

export function createClusterKeeper(organizationId: string, keepForMs: number): ClusterKeeper {
  // The series of running clusters that have no rows, from the last poll that had them.
  const kept = new Map<string, KeptCluster>()
  // The last poll whole: a cluster's series are picked out of it only when the cluster goes missing, so
  // that a poll in which every cluster has rows (the usual case) costs no regrouping of its samples.
  let previous: { families: readonly FamilySnapshot[]; present: ReadonlySet<string>; at: number } | null =
    null
  return {
    complete(families, directory, now) {
      const present = clusterIds(families)
      const running = runningClusters(directory, organizationId)
      const missing = [...running.keys()].filter((id) => !present.has(id))
      for (const id of missing) {
        if (!kept.has(id) && previous !== null && previous.present.has(id))
          kept.set(id, clusterRows(previous.families, id, previous.at))
      }
      // A cluster with rows again needs nothing kept; one that is gone, suspended or filtered out leaves
      // nothing behind.
      for (const id of kept.keys()) if (present.has(id) || !running.has(id)) kept.delete(id)
      previous = { families, present, at: now }
      if (missing.length === 0) return families
      const extra = new Map<string, { snapshot: FamilySnapshot; samples: Sample[] }>()
      for (const id of missing) {
        const last = kept.get(id)
        if (last === undefined) continue
        if (now - last.at > keepForMs) {
          kept.delete(id)
          continue
        }
        for (const [name, rows] of last.rows) {
          const entry = extra.get(name) ?? { snapshot: rows.snapshot, samples: [] }
          entry.samples.push(...rows.samples)
          extra.set(name, entry)
        }
      }
      const merged = families.map((family) => {
        const more = extra.get(family.spec.name)
        if (more === undefined) return family
        extra.delete(family.spec.name)
        return { spec: family.spec, samples: [...family.samples, ...more.samples] }
      })
      for (const { snapshot, samples } of extra.values()) merged.push({ spec: snapshot.spec, samples })
      throw new PartialPollError(
        `${ENDPOINTS.orgMetrics}: no rows of running cluster${missing.length > 1 ? 's' : ''} ${missingNames(missing, running)} in the body; their last good data is kept until the staleness limit`,
        ENDPOINTS.orgMetrics,
        merged
      )
    }
  }
}

/** Clusters named in a failure message; an organization of thousands would make it megabytes long. */
export const NAMED_MISSING_CLUSTERS = 10

function missingNames(missing: readonly string[], running: ReadonlyMap<string, string>): string {
  const names = missing.slice(0, NAMED_MISSING_CLUSTERS).map((id) => `${running.get(id) ?? ''} (${id})`)
  const more = missing.length - names.length
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ')
}

/** The clusters (cluster_id labels) that have a sample in `families`. */
function clusterIds(families: readonly FamilySnapshot[]): Set<string> {
  const ids = new Set<string>()
  for (const family of families) {
    const index = family.spec.labelNames.indexOf('cluster_id')
    if (index < 0) continue
    // Samples come node by node: most have the id of the sample before.
    let last: string | undefined
    for (const sample of family.samples) {
      const id = sample.labels[index]
      if (id === last || id === undefined) continue
      last = id
      ids.add(id)
    }
  }
  return ids
}

/** The samples of one cluster, family by family. */
function clusterRows(families: readonly FamilySnapshot[], clusterId: string, at: number): KeptCluster {
  const rows = new Map<string, { snapshot: FamilySnapshot; samples: Sample[] }>()
  for (const family of families) {
    const index = family.spec.labelNames.indexOf('cluster_id')
    if (index < 0) continue
    const samples = family.samples.filter((sample) => sample.labels[index] === clusterId)
    if (samples.length > 0) rows.set(family.spec.name, { snapshot: family, samples })
  }
  return { at, rows }
}
