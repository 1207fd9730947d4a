import type { OrgMetricsReading } from './types.js'
import type { TextSink } from '../../cloud/api.js'
import { CloudApiError } from '../../cloud/errors.js'
import type { Collector, CollectorDefinition, CollectorDeps } from '../collector.js'
import type { DirectoryStore } from '../directory.js'
import { COLLECTOR_DEFAULTS } from '../names.js'
import { createRateMemory, deriveOrgMetrics, FAMILIES } from './derive.js'
import { createOrgMetricsReader, type OrgMetricsReaderOptions } from './reader.js'
import { families as f } from '../../metrics/catalogue.js'
import { createClusterKeeper, publishableReading } from './keep.js'
import { createPollBudget, type PollBudget } from './budget.js'

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
  /** The API's rate-limit window of this endpoint, per organization. */
  readonly rateLimitWindowMs: number
}

export interface OrgMetricsCollector extends Collector {
  readonly budget: PollBudget
}

/**
 * One organization's Prometheus endpoint: one call per poll, the body read as a stream and reduced to
 * per-node readings, then joined with the inventory's names and capacity.
 */
export function createOrgMetricsCollector(deps: OrgMetricsDeps): OrgMetricsCollector {
  const memory = createRateMemory()
  // CPU is a rate between two polls: until then the status page and dashboards show none, so say once when
  // it arrives.
  let cpuSeen = false
  const budget = createPollBudget(deps.rateLimitWindowMs)
  const keeper = createClusterKeeper(deps.organizationId, deps.keepMissingForMs)
  return {
    name: 'org_metrics',
    organizationId: deps.organizationId,
    budget,
    async collect(signal) {
      const directory = deps.directory.current()
      // Before the first inventory, the body's own health rows name the clusters (see deriveOrgMetrics).
      const known = directory.updatedAt > 0 ? (id: string) => directory.clusters.has(id) : undefined
      const createReader = (): TextSink<OrgMetricsReading> =>
        publishableReading(deps.createReader(known === undefined ? {} : { knownClusters: known }))
      let reading: OrgMetricsReading | null
      try {
        reading = await deps.api.orgMetrics(deps.organizationId, signal, createReader)
      } catch (error) {
        if (error instanceof CloudApiError && error.reason === 'throttled')
          budget.throttled(deps.clock.now(), error.retryAfterSeconds)
        else budget.failed(deps.clock.now())
        throw error
      }
      // The answer has arrived whole: the API's window began before this moment.
      const kind = budget.answered(deps.clock.now(), reading?.newestSampleMs ?? null)
      if (kind === 're-served')
        deps.logger.debug(
          { newestSampleMs: reading?.newestSampleMs },
          'organization metrics body not newer than the last one: no rate computed from it'
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
      // Counter rates over a re-served body are not computed: its sample timestamps did not advance
      // (counterRate), so the last rates stay.
      const families = deriveOrgMetrics(
        deps.organizationId,
        reading,
        directory,
        memory,
        budget.reservedBodies()
      )
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
    },
    nextRunAt: (run) => budget.nextRequestAt(run.startedAt, run.intervalMs)
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
        context.config.maxStalenessIntervals * context.config.collectors.org_metrics.intervalSeconds * 1000,
      rateLimitWindowMs: context.config.api.orgMetricsWindowSeconds * 1000
    })
}
