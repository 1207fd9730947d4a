/**
 * The storage autopilot: evaluates the policy for every cluster in its scope on a timer, reports every
 * decision (log line, metric, status page), and in apply mode expands a cluster's storage with
 * PUT /api/v2/clusters/{id}/storage/ after re-reading the cluster and its operations, then follows the
 * operation to SUCCEEDED or FAILED for a bounded time. docs/autopilot.md describes the behaviour.
 */
import type { Registry } from 'prom-client'
import type { ClusterManagementApi } from '../cloud/api.js'
import { CloudApiError } from '../cloud/errors.js'
import type { Cluster, ClusterOperation } from '../cloud/types.js'
import type { TimerClock, TimerHandle } from '../clock.js'
import type { DirectoryCluster } from '../collectors/directory.js'
import { compileFilter } from '../collectors/inventory/filters.js'
import type { StorageAutopilotConfig } from '../config/autopilot.js'
import type { AutopilotAction, AutopilotClusterStatus, AutopilotStatus } from '../engine/view.js'
import type { Logger } from '../logger.js'
import { ACTION_OUTCOMES, createAutopilotMetrics, type ActionOutcome } from './metrics.js'
import { createObserver, type AutopilotSource, type ObservedCluster } from './observe.js'
import { decide, type ActionRecord, type ClusterFacts, type Decision } from './policy.js'

export type { AutopilotSource } from './observe.js'
export type { AutopilotAction, AutopilotClusterStatus, AutopilotStatus } from '../engine/view.js'

const DAY_MS = 86_400_000
const EXPAND = 'EXPAND_STORAGE'
const FINAL = new Set(['SUCCEEDED', 'FAILED'])
/** Operations created this long before the PUT's answer still count as the one it started (clock skew). */
const CREATED_SKEW_MS = 120_000
const RECENT_ACTIONS = 20

export interface StorageAutopilotDeps {
  readonly config: StorageAutopilotConfig
  readonly api: ClusterManagementApi
  readonly source: AutopilotSource
  readonly logger: Logger
  /** Every timer of the autopilot goes through it, as the engine's do. */
  readonly clock: TimerClock
  readonly registry: Registry
  /** Waits between two reads of an operation; tests advance their clock instead of waiting. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  /** Deadline of one API call (default 30 s). */
  readonly requestTimeoutMs?: number
}

export interface StorageAutopilot {
  start(): void
  /** Stops the timer and the operations being followed, and waits for them. */
  stop(): Promise<void>
  /** One evaluation of every cluster in scope; resolves when its requests are done (not the follows). */
  evaluate(): Promise<void>
  /** Resolves when no operation is being followed. */
  settled(): Promise<void>
  status(): AutopilotStatus
}

interface ClusterState {
  /** Times of the expansions this process requested (or, in dry-run, reported). */
  actions: number[]
  refused: string | null
  /** The last decision reported, so a decision that holds is logged once, not at every evaluation. */
  reported: string | null
  following: boolean
}

/** Every outcome's series exists from the start, so that increase() sees the first failure. */
function initialise(metrics: ReturnType<typeof createAutopilotMetrics>, entry: DirectoryCluster): void {
  for (const outcome of ACTION_OUTCOMES)
    metrics.actions.inc({ cluster_id: entry.cluster.id, cluster_name: entry.cluster.name, outcome }, 0)
}

function clockSleep(clock: TimerClock): (ms: number, signal: AbortSignal) => Promise<void> {
  return (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error)
      const timer = clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = (): void => {
        clock.clearTimeout(timer)
        reject(signal.reason as Error)
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
}

export function createStorageAutopilot(deps: StorageAutopilotDeps): StorageAutopilot {
  const { config, api, logger, clock } = deps
  const metrics = createAutopilotMetrics(deps.registry)
  const sleep = deps.sleep ?? clockSleep(clock)
  const requestTimeoutMs = deps.requestTimeoutMs ?? 30_000
  const organizations = compileFilter(config.organizations)
  const projects = compileFilter(config.projects)
  const clusterFilter = compileFilter(config.clusters)
  const observer = createObserver({
    forecastWindowSeconds: config.forecastWindowSeconds,
    staleAfterSeconds: config.staleAfterSeconds,
    fullestNodeAbove: config.trigger.fullestNodeAbove
  })
  const states = new Map<string, ClusterState>()
  const organizationActions = new Map<string, number[]>()
  const follows = new Set<Promise<void>>()
  const recent: AutopilotAction[] = []
  let view: AutopilotClusterStatus[] = []
  let evaluatedAt: number | null = null
  let timer: TimerHandle | null = null
  let evaluating: Promise<void> | null = null
  const stopping = new AbortController()

  const inScope = (entry: DirectoryCluster): boolean =>
    organizations.matches(entry.organization.name, entry.organization.id) &&
    projects.matches(entry.project?.name ?? '', entry.cluster.project_id) &&
    clusterFilter.matches(entry.cluster.name, entry.cluster.id)

  const stateOf = (id: string): ClusterState => {
    let state = states.get(id)
    if (state === undefined) {
      state = { actions: [], refused: null, reported: null, following: false }
      states.set(id, state)
    }
    return state
  }

  const within24h = (times: readonly number[], now: number): number =>
    times.filter((t) => t > now - DAY_MS && t <= now).length

  function record(entry: DirectoryCluster, now: number): ActionRecord {
    const state = stateOf(entry.cluster.id)
    return {
      lastActionMs: state.actions.length === 0 ? null : Math.max(...state.actions),
      clusterActionsToday: within24h(state.actions, now),
      organizationActionsToday: within24h(organizationActions.get(entry.organization.id) ?? [], now),
      refused: state.refused
    }
  }

  function remember(entry: DirectoryCluster, at: number): void {
    const state = stateOf(entry.cluster.id)
    state.actions = [...state.actions.filter((t) => t > at - DAY_MS), at]
    const list = (organizationActions.get(entry.organization.id) ?? []).filter((t) => t > at - DAY_MS)
    organizationActions.set(entry.organization.id, [...list, at])
  }

  function report(
    entry: DirectoryCluster,
    outcome: ActionOutcome,
    reason: string,
    details: { fromBytes?: number | null; toBytes?: number | null; need?: string; extra?: object } = {}
  ): void {
    const now = clock.now()
    const labels = { cluster_id: entry.cluster.id, cluster_name: entry.cluster.name }
    metrics.actions.inc({ ...labels, outcome })
    if (outcome !== 'skipped') metrics.lastAction.set(labels, now / 1000)
    const action: AutopilotAction = {
      at: now,
      clusterId: entry.cluster.id,
      clusterName: entry.cluster.name,
      outcome,
      fromBytes: details.fromBytes ?? null,
      toBytes: details.toBytes ?? null,
      reason: details.need === undefined ? reason : `${reason} (${details.need})`
    }
    recent.unshift(action)
    recent.length = Math.min(recent.length, RECENT_ACTIONS)
    const line = {
      mode: config.mode,
      outcome,
      cluster_id: entry.cluster.id,
      cluster_name: entry.cluster.name,
      organization_id: entry.organization.id,
      reason,
      ...(details.need === undefined ? {} : { need: details.need }),
      ...(details.fromBytes === undefined ? {} : { from_bytes: details.fromBytes }),
      ...(details.toBytes === undefined ? {} : { to_bytes: details.toBytes }),
      ...details.extra
    }
    const message = `storage autopilot: ${outcome.replace('_', '-')} ${entry.cluster.name}`
    if (outcome === 'failed' || outcome === 'refused') logger.warn(line, message)
    else logger.info(line, message)
  }

  const factsOf = (cluster: Cluster): ClusterFacts => ({
    suspended: cluster.suspended,
    health: cluster.health.status,
    runningOperation: cluster.health.running_operation,
    diskSizePerNodeBytes: cluster.hardware_specs?.disk_size_per_node_bytes ?? null,
    allowCustomStorage: cluster.allow_custom_storage ?? null
  })

  async function evaluateOnce(): Promise<void> {
    const now = clock.now()
    const observed = observer.observe(deps.source, inScope, now)
    const next: AutopilotClusterStatus[] = []
    for (const cluster of observed) {
      const status = await evaluateCluster(cluster, now)
      next.push(status)
    }
    const seen = new Set(observed.map((cluster) => cluster.entry.cluster.id))
    for (const [id, state] of states) if (!seen.has(id) && !state.following) states.delete(id)
    view = next.sort(
      (a, b) => a.organizationName.localeCompare(b.organizationName) || a.name.localeCompare(b.name)
    )
    evaluatedAt = now
  }

  async function evaluateCluster(observed: ObservedCluster, now: number): Promise<AutopilotClusterStatus> {
    const { entry, signals } = observed
    if (!states.has(entry.cluster.id)) initialise(metrics, entry)
    const state = stateOf(entry.cluster.id)
    const base = {
      id: entry.cluster.id,
      name: entry.cluster.name,
      organizationName: entry.organization.name,
      fullestNode: observed.fullestNode,
      fullestUtilization: signals.fullestUtilization,
      floodStageInSeconds: signals.floodStageInSeconds,
      diskSizePerNodeBytes: entry.cluster.hardware_specs?.disk_size_per_node_bytes ?? null
    }
    if (state.following) return { ...base, state: 'following', reason: 'following the storage expansion' }
    let decision = decide(config, factsOf(entry.cluster), signals, record(entry, now), now)
    if (decision.kind === 'expand' && config.mode === 'apply') decision = await act(entry, observed, decision)
    else if (decision.kind === 'expand') {
      reportOnce(entry, 'dry_run', decision)
      // Dry-run counts what it reports against the limits, so it shows what apply would do next.
      remember(entry, now)
    } else if (decision.kind === 'skip') reportOnce(entry, 'skipped', decision)
    else state.reported = null
    return {
      ...base,
      state: decision.kind,
      reason:
        decision.kind === 'expand'
          ? `${config.mode === 'apply' ? 'expanding' : 'would expand'} to ${decision.toBytes} bytes per node: ${decision.need}`
          : decision.kind === 'skip'
            ? `${decision.reason} (${decision.need})`
            : decision.reason
    }
  }

  function reportOnce(entry: DirectoryCluster, outcome: ActionOutcome, decision: Decision): void {
    const state = stateOf(entry.cluster.id)
    const key = decision.kind === 'skip' ? `skip:${decision.code}` : `${outcome}`
    if (state.reported === key && outcome === 'skipped') return
    state.reported = key
    if (decision.kind === 'skip') report(entry, 'skipped', decision.reason, { need: decision.need })
    else if (decision.kind === 'expand')
      report(
        entry,
        outcome,
        `would expand from ${decision.fromBytes} to ${decision.toBytes} bytes per node`,
        {
          need: decision.need,
          fromBytes: decision.fromBytes,
          toBytes: decision.toBytes
        }
      )
  }

  /** Apply mode: re-read, check again with what the API says now, PUT, then follow. */
  async function act(
    entry: DirectoryCluster,
    observed: ObservedCluster,
    planned: Extract<Decision, { kind: 'expand' }>
  ): Promise<Decision> {
    const id = entry.cluster.id
    const state = stateOf(id)
    let fresh: Cluster
    let operations: ClusterOperation[]
    try {
      fresh = await api.cluster(id, AbortSignal.timeout(requestTimeoutMs))
      operations = await api.clusterOperations(id, AbortSignal.timeout(requestTimeoutMs))
    } catch (error) {
      const decision: Decision = {
        kind: 'skip',
        code: 'stale',
        reason: `could not re-read the cluster before acting: ${errorText(error)}`,
        need: planned.need
      }
      reportOnce(entry, 'skipped', decision)
      return decision
    }
    const now = clock.now()
    const running = operations.find((op) => op.type === EXPAND && !FINAL.has(op.status))
    const facts = factsOf(fresh)
    const expansions = operations
      .filter((op) => op.type === EXPAND && op.status !== 'FAILED')
      .map((op) => createdMs(op))
      .filter((t): t is number => t !== null)
    // Expansions seen in the operations count like this process's own from now on, so that the
    // cooldown they start needs no re-read at every evaluation.
    for (const t of expansions)
      if (!state.actions.some((a) => Math.abs(a - t) <= CREATED_SKEW_MS)) state.actions.push(t)
    const own = record(entry, now)
    const times = [own.lastActionMs, ...expansions].filter((t): t is number => t !== null)
    const merged: ActionRecord = {
      ...own,
      lastActionMs: times.length === 0 ? null : Math.max(...times),
      clusterActionsToday: Math.max(own.clusterActionsToday, within24h(expansions, now))
    }
    let decision = decide(
      config,
      running === undefined ? facts : { ...facts, runningOperation: facts.runningOperation || running.type },
      observed.signals,
      merged,
      now
    )
    if (decision.kind === 'expand' && facts.diskSizePerNodeBytes !== planned.fromBytes)
      decision = {
        kind: 'skip',
        code: 'stale',
        reason: `the disk size changed since the data was read (${planned.fromBytes} then, ${facts.diskSizePerNodeBytes ?? 'unknown'} now)`,
        need: planned.need
      }
    if (decision.kind !== 'expand') {
      reportOnce(entry, 'skipped', decision)
      return decision
    }
    const requestedAt = clock.now()
    try {
      await api.expandStorage(id, decision.toBytes, AbortSignal.timeout(requestTimeoutMs))
    } catch (error) {
      remember(entry, requestedAt)
      state.reported = null
      if (error instanceof CloudApiError && error.status === 403) {
        state.refused = `HTTP 403 at ${new Date(requestedAt).toISOString()}: the API key may not change this cluster; no further attempt until the configuration changes`
        report(entry, 'refused', state.refused, {
          need: decision.need,
          fromBytes: decision.fromBytes,
          toBytes: decision.toBytes
        })
      } else {
        report(entry, 'failed', `the storage expansion was not accepted: ${errorText(error)}`, {
          need: decision.need,
          fromBytes: decision.fromBytes,
          toBytes: decision.toBytes
        })
      }
      return {
        kind: 'skip',
        code: state.refused === null ? 'cooldown' : 'refused',
        reason: state.refused ?? `the request failed: ${errorText(error)}`,
        need: decision.need
      }
    }
    remember(entry, requestedAt)
    state.reported = null
    report(entry, 'requested', `requested ${decision.toBytes} bytes per node`, {
      need: decision.need,
      fromBytes: decision.fromBytes,
      toBytes: decision.toBytes,
      extra: {
        fullest_node: observed.fullestNode,
        fullest_node_utilization: observed.signals.fullestUtilization,
        flood_stage_in_seconds: observed.signals.floodStageInSeconds
      }
    })
    state.following = true
    const follow = followOperation(entry, requestedAt, decision.fromBytes, decision.toBytes).finally(() => {
      state.following = false
      follows.delete(follow)
    })
    follows.add(follow)
    return decision
  }

  async function followOperation(
    entry: DirectoryCluster,
    requestedAt: number,
    fromBytes: number,
    toBytes: number
  ): Promise<void> {
    const id = entry.cluster.id
    const deadline = requestedAt + config.operationTimeoutSeconds * 1000
    const pollMs = config.operationPollSeconds * 1000
    // Bounded by the deadline on the clock and, should the clock stand still, by a count of reads.
    const maxReads = Math.ceil((config.operationTimeoutSeconds * 1000) / pollMs) + 2
    let operationId: string | null = null
    let lastStatus = 'not seen'
    for (let reads = 0; reads < maxReads && clock.now() < deadline; reads++) {
      try {
        await sleep(pollMs, stopping.signal)
      } catch {
        return
      }
      let operations: ClusterOperation[]
      try {
        operations = await api.clusterOperations(id, AbortSignal.timeout(requestTimeoutMs))
      } catch (error) {
        logger.debug(
          { cluster_id: id, err: errorText(error) },
          'storage autopilot: reading the operations failed'
        )
        continue
      }
      const op = operations.find((candidate) =>
        operationId === null
          ? candidate.type === EXPAND && (createdMs(candidate) ?? 0) >= requestedAt - CREATED_SKEW_MS
          : candidate.id === operationId
      )
      if (op === undefined) continue
      operationId = op.id
      lastStatus = op.status
      if (op.status === 'SUCCEEDED') {
        observer.forget(id)
        report(entry, 'succeeded', `the storage expansion succeeded`, {
          fromBytes,
          toBytes,
          extra: { operation_id: op.id }
        })
        return
      }
      if (op.status === 'FAILED') {
        report(entry, 'failed', 'the storage expansion operation FAILED', {
          fromBytes,
          toBytes,
          extra: { operation_id: op.id }
        })
        return
      }
    }
    report(
      entry,
      'failed',
      `the operation was not SUCCEEDED or FAILED within ${config.operationTimeoutSeconds} s (last status: ${lastStatus}); it is not followed further`,
      { fromBytes, toBytes, ...(operationId === null ? {} : { extra: { operation_id: operationId } }) }
    )
  }

  function schedule(): void {
    if (stopping.signal.aborted) return
    timer = clock.setTimeout(() => {
      timer = null
      void evaluate().finally(schedule)
    }, config.intervalSeconds * 1000)
  }

  function evaluate(): Promise<void> {
    if (evaluating !== null) return evaluating
    evaluating = evaluateOnce()
      .catch((error: unknown) => logger.error({ err: error }, 'storage autopilot: evaluation failed'))
      .finally(() => {
        evaluating = null
      })
    return evaluating
  }

  return {
    // Said when it starts, after the exporter listens: a start that fails says only why.
    start() {
      logger.info(
        {
          mode: config.mode,
          trigger: config.trigger,
          max_disk_size_per_node_bytes: config.limits.maxDiskSizePerNodeBytes
        },
        `storage autopilot on, ${config.mode === 'apply' ? 'in apply mode: it will expand storage' : 'in dry-run: it reports, never expands'}`
      )
      schedule()
    },
    async stop() {
      stopping.abort(new Error('the storage autopilot stops'))
      if (timer !== null) clock.clearTimeout(timer)
      await evaluating
      await Promise.allSettled([...follows])
    },
    evaluate,
    async settled() {
      while (follows.size > 0) await Promise.allSettled([...follows])
    },
    status: () => ({ mode: config.mode, evaluatedAt, clusters: view, recent: [...recent] })
  }
}

function createdMs(op: ClusterOperation): number | null {
  if (op.created === null) return null
  const ms = Date.parse(op.created)
  return Number.isNaN(ms) ? null : ms
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
