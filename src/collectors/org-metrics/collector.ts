import type { OrgMetricsReading } from './types.js'
import type { TextSink } from '../../cloud/api.js'
import type { Collector, CollectorDefinition, CollectorDeps } from '../collector.js'
import type { DirectoryStore } from '../directory.js'
import { COLLECTOR_DEFAULTS } from '../names.js'
import { createRateMemory, deriveOrgMetrics, FAMILIES } from './derive.js'
import { createOrgMetricsReader, type OrgMetricsReaderOptions } from './reader.js'
import { families as f } from '../../metrics/catalogue.js'
import { createClusterKeeper, publishableReading } from './keep.js'

export interface OrgMetricsDeps extends CollectorDeps {
  readonly organizationId: string
  readonly directory: DirectoryStore
  /**
   * The streaming reader of the organization metrics body (./reader.ts), told which clusters the
   * inventory lists so that it holds no node of another.
   */
  readonly createReader: (options: OrgMetricsReaderOptions) => TextSink<OrgMetricsReading>
  /** How long a running cluster missing from the answers keeps its last good series (the staleness limit). */
  readonly keepMissingForMs: number
}

/**
 * One organization's Prometheus endpoint: one call per poll, the body read as a stream and reduced to
 * per-node readings, then joined with the inventory's names and capacity.
 */
export function createOrgMetricsCollector(deps: OrgMetricsDeps): Collector {
  const memory = createRateMemory()
  // CPU is a rate between two polls: until then the status page and dashboards show none, so say once when
  // it arrives.
  let cpuSeen = false
  const keeper = createClusterKeeper(deps.organizationId, deps.keepMissingForMs)
  return {
    name: 'org_metrics',
    organizationId: deps.organizationId,
    async collect(signal) {
      const directory = deps.directory.current()
      // Before the first inventory, the body's own health rows name the clusters (see deriveOrgMetrics).
      const known = directory.updatedAt > 0 ? (id: string) => directory.clusters.has(id) : undefined
      const reading = await deps.api.orgMetrics(deps.organizationId, signal, () =>
        publishableReading(deps.createReader(known === undefined ? {} : { knownClusters: known }))
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
      const families = deriveOrgMetrics(deps.organizationId, reading, directory, memory)
      if (!cpuSeen) {
        const clusters = families.find((family) => family.spec === f.clusterCpuUsage)?.samples.length ?? 0
        if (clusters > 0) {
          cpuSeen = true
          deps.logger.info(
            { clusters },
            'CPU rates are available (from the second poll of the organization metrics)'
          )
        }
      }
      return keeper.complete(families, directory, deps.clock.now())
    }
  }
}

export const orgMetricsDefinition: CollectorDefinition = {
  name: 'org_metrics',
  scope: 'organization',
  defaults: COLLECTOR_DEFAULTS.org_metrics,
  families: FAMILIES,
  create: (context) =>
    createOrgMetricsCollector({
      ...context,
      createReader: (options) => createOrgMetricsReader({ ...context.config.orgMetrics, ...options }),
      keepMissingForMs:
        context.config.maxStalenessIntervals * context.config.collectors.org_metrics.intervalSeconds * 1000
    })
}
