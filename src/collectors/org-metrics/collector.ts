import type { OrgMetricsReading } from './types.js'
import type { TextSink } from '../../cloud/api.js'
import { CloudApiError } from '../../cloud/errors.js'
import type { Collector, CollectorDefinition, CollectorDeps } from '../collector.js'
import type { DirectoryStore } from '../directory.js'
import { COLLECTOR_DEFAULTS } from '../names.js'
import { createRateMemory, deriveOrgMetrics, FAMILIES } from './derive.js'
import { createOrgMetricsReader } from './reader.js'
import { createClusterKeeper, publishableReading } from './keep.js'
import { createPollBudget, type PollBudget } from './budget.js'

export interface OrgMetricsDeps extends CollectorDeps {
  readonly organizationId: string
  readonly directory: DirectoryStore
  /** The streaming reader of the organization metrics body (./reader.ts). */
  readonly createReader: () => TextSink<OrgMetricsReading>
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
  const budget = createPollBudget(deps.rateLimitWindowMs)
  const keeper = createClusterKeeper(deps.organizationId, deps.keepMissingForMs)
  const createReader = (): TextSink<OrgMetricsReading> => publishableReading(deps.createReader())
  return {
    name: 'org_metrics',
    organizationId: deps.organizationId,
    budget,
    async collect(signal) {
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
      if (reading !== null && reading.invalidLines > 0 && reading.firstInvalid !== null) {
        deps.logger.warn(
          { invalidLines: reading.invalidLines, firstInvalid: reading.firstInvalid },
          'organization metrics body has invalid lines; they were skipped'
        )
      }
      const directory = deps.directory.current()
      // Counter rates over a re-served body are not computed: its sample timestamps did not advance
      // (counterRate), so the last rates stay.
      const families = deriveOrgMetrics(
        deps.organizationId,
        reading,
        directory,
        memory,
        budget.reservedBodies()
      )
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
      createReader: createOrgMetricsReader,
      keepMissingForMs:
        context.config.maxStalenessIntervals * context.config.collectors.org_metrics.intervalSeconds * 1000,
      rateLimitWindowMs: context.config.api.orgMetricsWindowSeconds * 1000
    })
}
