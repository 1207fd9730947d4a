import { setMaxListeners } from 'node:events'
import { apiErrorCode, CloudApiError, type ApiErrorReason } from '../cloud/errors.js'
import { createDeadlineSignal } from '../cloud/retry.js'
import type { TimerClock, TimerHandle } from '../clock.js'
import type { CollectorConfig } from '../config/types.js'
import type { Logger } from '../logger.js'
import type { SelfMetrics } from '../metrics/self-metrics.js'
import type { FamilySnapshot } from '../metrics/types.js'
import type { CollectorStatus } from './view.js'
import { PartialPollError, type Collector } from '../collectors/collector.js'

export interface RunnerDeps {
  readonly logger: Logger
  /** Every timer of the scheduler goes through it. */
  readonly clock: TimerClock
  readonly metrics: SelfMetrics
  /** Data older than this many intervals of its collector is withdrawn. */
  readonly maxStalenessIntervals: number
  /** Called after every run, successful or not, so the exposition can be rendered again. */
  readonly onRunEnd: (collector: Collector, error: unknown) => void
  /** Jitter source; Math.random by default. */
  readonly random?: () => number
}

export interface Runner {
  /**
   * Starts polling with the collector: the first run comes after `firstDelayMs`, the second one interval
   * later plus a little jitter.
   */
  add(collector: Collector, config: CollectorConfig, firstDelayMs?: number): void
  /** Stops a collector and withdraws its data. */
  remove(name: string, organizationId: string): void
  has(name: string, organizationId: string): boolean
  /** The data to expose now: each collector's last good result, unless older than the staleness limit. */
  families(): FamilySnapshot[]
  /**
   * families() for a rendering, and `publish()` to call once that rendering is current: it sets the
   * success, duration and last-success gauges of the runs whose data it holds. Set at the end of a run
   * instead, they would pair the new run's outcome with the previous run's data in the scrapes between
   * the run's end and the render that publishes its data.
   */
  snapshot(): RenderSnapshot
  statuses(): CollectorStatus[]
  /** Whether every collector has ended a run, successful or not (without building the statuses). */
  everyCollectorRan(): boolean
  /** Stops every loop, aborts the requests in flight and waits for the runs to end. */
  stop(): Promise<void>
}

export interface RenderSnapshot {
  readonly families: FamilySnapshot[]
  publish(): void
}

/** A run's outcome, kept until the rendering with its data is published. */
interface Outcome {
  readonly success: boolean
  readonly durationSeconds: number
  readonly lastSuccessAt: number | null
}

interface Slot {
  readonly collector: Collector
  readonly config: CollectorConfig
  readonly logger: Logger
  published: { families: readonly FamilySnapshot[]; at: number } | null
  lastRunAt: number | null
  lastSuccessAt: number | null
  lastDurationSeconds: number | null
  success: boolean | null
  unpublished: Outcome | null
  lastErrorReason: ApiErrorReason | 'internal' | null
  lastErrorCode: string | null
  lastErrorMessage: string | null
  nextRunAt: number | null
  /** Added once, to the wait before the second run. */
  jitterMs: number
  timer: TimerHandle | null
  controller: AbortController | null
  running: Promise<void> | null
  stopped: boolean
}

const MAX_START_JITTER_MS = 1000

export function createRunner(deps: RunnerDeps): Runner {
  const slots = new Map<string, Slot>()
  const random = deps.random ?? Math.random
  const key = (name: string, organizationId: string): string => `${name}\u0000${organizationId}`
  const labels = (slot: Slot): { collector: string; organization_id: string } => ({
    collector: slot.collector.name,
    organization_id: slot.collector.organizationId
  })

  function schedule(slot: Slot, delayMs: number): void {
    if (slot.stopped) return
    slot.nextRunAt = deps.clock.now() + delayMs
    slot.timer = deps.clock.setTimeout(() => {
      slot.timer = null
      slot.running = run(slot).finally(() => {
        slot.running = null
      })
    }, delayMs)
  }

  async function run(slot: Slot): Promise<void> {
    const controller = new AbortController()
    slot.controller = controller
    // A deadline the API client can read, so that retries and Retry-After waits stay inside it.
    const signal = createDeadlineSignal(slot.config.timeoutSeconds * 1000, deps.clock, controller.signal)
    // One poll may have many requests in flight on this signal (the inventory lists every organization).
    setMaxListeners(0, signal)
    const started = performance.now()
    slot.lastRunAt = deps.clock.now()
    slot.nextRunAt = null
    deps.metrics.collectorRuns.inc(labels(slot))
    let failure: unknown = null
    try {
      const families = await slot.collector.collect(signal)
      if (slot.stopped) return
      slot.published = { families, at: deps.clock.now() }
      slot.success = true
      slot.lastSuccessAt = slot.published.at
      slot.lastErrorReason = null
      slot.lastErrorCode = null
      slot.lastErrorMessage = null
    } catch (error) {
      failure = error
      if (slot.stopped) return
      if (error instanceof PartialPollError)
        slot.published = { families: error.families, at: deps.clock.now() }
      slot.success = false
      slot.lastErrorReason = errorReason(error, signal)
      slot.lastErrorCode = slot.lastErrorReason === 'internal' ? null : apiErrorCode(slot.lastErrorReason)
      slot.lastErrorMessage = error instanceof Error ? error.message : String(error)
      deps.metrics.collectorFailures.inc(labels(slot))
      slot.logger.warn(
        {
          ...(slot.lastErrorCode === null ? {} : { code: slot.lastErrorCode }),
          reason: slot.lastErrorReason,
          err: error instanceof CloudApiError ? undefined : error
        },
        `collection failed: ${slot.lastErrorMessage}`
      )
    } finally {
      slot.controller = null
      const seconds = (performance.now() - started) / 1000
      slot.lastDurationSeconds = seconds
      if (!slot.stopped) {
        slot.unpublished = {
          success: slot.success === true,
          durationSeconds: seconds,
          lastSuccessAt: slot.lastSuccessAt
        }
        const intervalMs = slot.config.intervalSeconds * 1000
        const planned = slot.collector.nextRunAt?.({
          startedAt: slot.lastRunAt ?? deps.clock.now(),
          intervalMs
        })
        const wait =
          planned === undefined
            ? Math.max(0, intervalMs - seconds * 1000)
            : Math.max(0, planned - deps.clock.now())
        schedule(slot, wait + slot.jitterMs)
        slot.jitterMs = 0
        deps.onRunEnd(slot.collector, failure)
      }
    }
  }

  function isStale(slot: Slot, now: number): boolean {
    if (slot.published === null) return false
    return now - slot.published.at > deps.maxStalenessIntervals * slot.config.intervalSeconds * 1000
  }

  function forget(slot: Slot): void {
    for (const gauge of [
      deps.metrics.collectorSuccess,
      deps.metrics.collectorDuration,
      deps.metrics.collectorLastSuccess
    ]) {
      gauge.remove(labels(slot))
    }
    deps.metrics.collectorDataAge.remove(labels(slot))
    // An organization that is gone leaves no series behind.
    deps.metrics.collectorRuns.remove(labels(slot))
    deps.metrics.collectorFailures.remove(labels(slot))
  }

  function families(): FamilySnapshot[] {
    const now = deps.clock.now()
    const out: FamilySnapshot[] = []
    for (const slot of slots.values()) {
      if (slot.published === null) continue
      if (isStale(slot, now)) {
        deps.metrics.collectorDataAge.remove(labels(slot))
        continue
      }
      deps.metrics.collectorDataAge.set(labels(slot), (now - slot.published.at) / 1000)
      out.push(...slot.published.families)
    }
    return out
  }

  return {
    add(collector, config, firstDelayMs = 0) {
      const id = key(collector.name, collector.organizationId)
      if (slots.has(id)) return
      const slot: Slot = {
        collector,
        config,
        logger: deps.logger.child({
          collector: collector.name,
          organization_id: collector.organizationId || undefined
        }),
        published: null,
        lastRunAt: null,
        lastSuccessAt: null,
        lastDurationSeconds: null,
        success: null,
        unpublished: null,
        lastErrorReason: null,
        lastErrorCode: null,
        lastErrorMessage: null,
        nextRunAt: null,
        // Collectors added together (every organization's, after the inventory) would otherwise poll in
        // step for ever. The jitter delays their second run, not the first: readiness waits for the
        // first run of every collector, and the API client bounds the requests in flight meanwhile.
        jitterMs: Math.floor(random() * Math.min(MAX_START_JITTER_MS, config.intervalSeconds * 100)),
        timer: null,
        controller: null,
        running: null,
        stopped: false
      }
      slots.set(id, slot)
      // Present at 0 from the start, so that rate() and increase() see the first failure.
      deps.metrics.collectorFailures.inc(labels(slot), 0)
      deps.metrics.collectorRuns.inc(labels(slot), 0)
      schedule(slot, firstDelayMs)
    },
    remove(name, organizationId) {
      const id = key(name, organizationId)
      const slot = slots.get(id)
      if (slot === undefined) return
      slot.stopped = true
      if (slot.timer !== null) deps.clock.clearTimeout(slot.timer)
      slot.controller?.abort(new Error('collector removed'))
      slots.delete(id)
      forget(slot)
    },
    has: (name, organizationId) => slots.has(key(name, organizationId)),
    families,
    snapshot() {
      const outcomes: [Slot, Outcome][] = []
      for (const slot of slots.values())
        if (slot.unpublished !== null) outcomes.push([slot, slot.unpublished])
      return {
        families: families(),
        publish() {
          for (const [slot, outcome] of outcomes) {
            if (slot.stopped) continue
            deps.metrics.collectorDuration.set(labels(slot), outcome.durationSeconds)
            deps.metrics.collectorSuccess.set(labels(slot), outcome.success ? 1 : 0)
            if (outcome.lastSuccessAt !== null)
              deps.metrics.collectorLastSuccess.set(labels(slot), outcome.lastSuccessAt / 1000)
            if (slot.unpublished === outcome) slot.unpublished = null
          }
        }
      }
    },
    statuses() {
      const now = deps.clock.now()
      return [...slots.values()].map((slot) => ({
        collector: slot.collector.name,
        organizationId: slot.collector.organizationId,
        intervalSeconds: slot.config.intervalSeconds,
        lastRunAt: slot.lastRunAt,
        lastSuccessAt: slot.lastSuccessAt,
        lastDurationSeconds: slot.lastDurationSeconds,
        success: slot.success,
        lastErrorReason: slot.lastErrorReason,
        lastErrorCode: slot.lastErrorCode,
        lastErrorMessage: slot.lastErrorMessage,
        nextRunAt: slot.nextRunAt,
        stale: isStale(slot, now)
      }))
    },
    everyCollectorRan() {
      for (const slot of slots.values()) if (slot.success === null) return false
      return true
    },
    async stop() {
      const running: Promise<void>[] = []
      for (const slot of slots.values()) {
        slot.stopped = true
        if (slot.timer !== null) deps.clock.clearTimeout(slot.timer)
        slot.controller?.abort(new Error('exporter stopping'))
        if (slot.running !== null) running.push(slot.running)
      }
      await Promise.allSettled(running)
    }
  }
}

function errorReason(error: unknown, signal: AbortSignal): ApiErrorReason | 'internal' {
  if (error instanceof CloudApiError) return error.reason
  if (signal.aborted) return 'timeout'
  return 'internal'
}
