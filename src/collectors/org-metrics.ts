import type { OrgMetricsReading } from '../cloud/org-metrics-types.js'
import type { TextSink } from '../cloud/api.js'
import type { Collector, CollectorDeps } from './collector.js'
import type { DirectoryStore } from './directory.js'
import { createRateMemory, deriveOrgMetrics } from './org-metrics-derive.js'

export interface OrgMetricsDeps extends CollectorDeps {
  readonly organizationId: string
  readonly directory: DirectoryStore
  /**
   * The streaming reader of the organization metrics body (src/cloud/org-metrics-reader.ts), told which
   * clusters the inventory lists so that it holds no node of another.
   */
  readonly createReader: (options: {
    knownClusters?: (clusterId: string) => boolean
  }) => TextSink<OrgMetricsReading>
}

/**
 * One organization's Prometheus endpoint: one call per poll, the body read as a stream and reduced to
 * per-node readings, then joined with the inventory's names and capacity.
 */
export function createOrgMetricsCollector(deps: OrgMetricsDeps): Collector {
  const memory = createRateMemory()
  return {
    name: 'org_metrics',
    organizationId: deps.organizationId,
    async collect(signal) {
      const directory = deps.directory.current()
      // Before the first inventory, the body's own health rows name the clusters (see deriveOrgMetrics).
      const known = directory.updatedAt > 0 ? (id: string) => directory.clusters.has(id) : undefined
      const reading = await deps.api.orgMetrics(deps.organizationId, signal, () =>
        deps.createReader(known === undefined ? {} : { knownClusters: known })
      )
      const dropped = reading?.droppedNodes
      if (dropped !== undefined && dropped.unknownCluster + dropped.overLimit > 0) {
        deps.logger.warn({ droppedNodes: dropped }, 'organization metrics body has nodes that were not kept')
      }
      if (reading !== null && reading.invalidLines > 0 && reading.firstInvalid !== null) {
        deps.logger.warn(
          { invalidLines: reading.invalidLines, firstInvalid: reading.firstInvalid },
          'organization metrics body has invalid lines; they were skipped'
        )
      }
      return deriveOrgMetrics(deps.organizationId, reading, deps.directory.current(), memory)
    }
  }
}
