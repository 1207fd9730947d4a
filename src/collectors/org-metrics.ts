import type { OrgMetricsReading } from '../cloud/org-metrics-types.js'
import type { TextSink } from '../cloud/api.js'
import type { Collector, CollectorDeps } from './collector.js'
import type { DirectoryStore } from './directory.js'
import { families as f } from '../metrics/catalogue.js'
import { createRateMemory, deriveOrgMetrics } from './org-metrics-derive.js'

export interface OrgMetricsDeps extends CollectorDeps {
  readonly organizationId: string
  readonly directory: DirectoryStore
  /** The streaming reader of the organization metrics body (src/cloud/org-metrics-reader.ts). */
  readonly createReader: () => TextSink<OrgMetricsReading>
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
  return {
    name: 'org_metrics',
    organizationId: deps.organizationId,
    async collect(signal) {
      const reading = await deps.api.orgMetrics(deps.organizationId, signal, deps.createReader)
      if (reading !== null && reading.invalidLines > 0 && reading.firstInvalid !== null) {
        deps.logger.warn(
          { invalidLines: reading.invalidLines, firstInvalid: reading.firstInvalid },
          'organization metrics body has invalid lines; they were skipped'
        )
      }
      const families = deriveOrgMetrics(deps.organizationId, reading, deps.directory.current(), memory)
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
      return families
    }
  }
}
