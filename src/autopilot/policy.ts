/**
 * The storage autopilot's decisions, as pure functions of what the exporter knows: is there a need (the
 * fullest node above the threshold long enough, or the flood stage forecast soon), may it act now (the
 * cluster's state, the data's age, the limits, the maintenance window), and to what size.
 */
import type { HealthStatus } from '../cloud/types.js'
import type { MaintenanceWindow, StorageAutopilotConfig, StorageStep } from '../config/autopilot.js'

/** CrateDB's flood stage: every table with a shard on the node becomes read-only. */
export const FLOOD_STAGE_RATIO = 0.95
const DAY_MS = 86_400_000

export interface ClusterFacts {
  readonly suspended: boolean
  readonly health: HealthStatus
  /** '' when none runs. */
  readonly runningOperation: string
  readonly diskSizePerNodeBytes: number | null
  /** allow_custom_storage of the cluster JSON; false: the product cannot have its storage expanded. */
  readonly allowCustomStorage: boolean | null
}

export interface StorageSignals {
  /** The fullest node's utilization at the newest sample, or null without data. */
  readonly fullestUtilization: number | null
  /** Since when every sample of the fullest node has been above the trigger (ms), or null. */
  readonly aboveSinceMs: number | null
  /** Time of the newest sample (ms): "above for Y" counts the time the samples show, not the clock's. */
  readonly sampleMs: number | null
  /** Seconds until the first node reaches the flood stage, or null (not growing, too little history). */
  readonly floodStageInSeconds: number | null
  /** Why the data may not be acted on (too old, missing); null when it is fresh. */
  readonly stale: string | null
}

export interface ActionRecord {
  /** The time of the last expansion (requested, or found in the cluster's operations), ms. */
  readonly lastActionMs: number | null
  /** Expansions of this cluster in the last 24 hours. */
  readonly clusterActionsToday: number
  /** Expansions of the cluster's organization in the last 24 hours. */
  readonly organizationActionsToday: number
  /** Set after a 403: the key may not change this cluster. */
  readonly refused: string | null
}

export type Decision =
  | { readonly kind: 'idle'; readonly reason: string }
  | { readonly kind: 'skip'; readonly code: SkipCode; readonly reason: string; readonly need: string }
  | {
      readonly kind: 'expand'
      readonly need: string
      readonly fromBytes: number
      readonly toBytes: number
    }

export type SkipCode =
  | 'refused'
  | 'suspended'
  | 'running_operation'
  | 'health'
  | 'stale'
  | 'unknown_size'
  | 'not_allowed'
  | 'at_maximum'
  | 'cooldown'
  | 'cluster_daily_cap'
  | 'organization_daily_cap'
  | 'maintenance_window'

const ACTIONABLE_HEALTH: ReadonlySet<HealthStatus> = new Set(['GREEN', 'YELLOW'])

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`
}

export function humanDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}

/** Why the policy wants more storage, or null. */
export function need(config: StorageAutopilotConfig, signals: StorageSignals): string | null {
  const { fullestNodeAbove, forSeconds, floodStageWithinSeconds } = config.trigger
  if (
    fullestNodeAbove !== null &&
    signals.aboveSinceMs !== null &&
    signals.sampleMs !== null &&
    signals.fullestUtilization !== null &&
    signals.sampleMs - signals.aboveSinceMs >= forSeconds * 1000
  ) {
    return `fullest node at ${percent(signals.fullestUtilization)}, above ${percent(fullestNodeAbove)} for ${humanDuration((signals.sampleMs - signals.aboveSinceMs) / 1000)}`
  }
  if (
    floodStageWithinSeconds !== null &&
    signals.floodStageInSeconds !== null &&
    signals.floodStageInSeconds <= floodStageWithinSeconds
  ) {
    return `flood stage (95 %) forecast in ${humanDuration(signals.floodStageInSeconds)}, within ${humanDuration(floodStageWithinSeconds)}`
  }
  return null
}

/** The new size per node: the step, rounded up to `roundTo`, never above the maximum. */
export function targetSize(current: number, step: StorageStep, roundTo: number, max: number): number {
  const grown = current + (step.kind === 'bytes' ? step.value : Math.round((current * step.value) / 100))
  const rounded = Math.ceil(grown / roundTo) * roundTo
  return Math.min(rounded, max)
}

/** When the window opens next after `nowMs` (or now, if it is open), and whether it is open. */
export function windowState(window: MaintenanceWindow, nowMs: number): { open: boolean; nextOpenMs: number } {
  const dayStart = Math.floor(nowMs / DAY_MS) * DAY_MS
  let nextOpenMs = Number.POSITIVE_INFINITY
  // A window may have opened up to 7 days ago (duration at most 7d) and opens again within 7 days.
  for (let offset = -7; offset <= 7; offset++) {
    const day = dayStart + offset * DAY_MS
    if (!window.days.includes(new Date(day).getUTCDay())) continue
    const opens = day + window.startMinutes * 60_000
    const closes = opens + window.durationSeconds * 1000
    if (opens <= nowMs && nowMs < closes) return { open: true, nextOpenMs: opens }
    if (opens > nowMs) nextOpenMs = Math.min(nextOpenMs, opens)
  }
  return { open: false, nextOpenMs }
}

/**
 * The decision for one cluster. Every reason not to act is checked, cheapest and most fundamental
 * first, so that the reason given is the one a person would give.
 */
export function decide(
  config: StorageAutopilotConfig,
  facts: ClusterFacts,
  signals: StorageSignals,
  record: ActionRecord,
  nowMs: number
): Decision {
  const why = need(config, signals)
  if (why === null) return { kind: 'idle', reason: 'no trigger met' }
  const skip = (code: SkipCode, reason: string): Decision => ({ kind: 'skip', code, reason, need: why })
  if (record.refused !== null) return skip('refused', record.refused)
  if (facts.runningOperation !== '')
    return skip('running_operation', `operation ${facts.runningOperation} is running`)
  if (facts.suspended || facts.health === 'SUSPENDED') return skip('suspended', 'the cluster is suspended')
  if (!ACTIONABLE_HEALTH.has(facts.health))
    return skip('health', `health is ${facts.health}, not GREEN or YELLOW`)
  if (signals.stale !== null) return skip('stale', signals.stale)
  if (facts.allowCustomStorage === false)
    return skip(
      'not_allowed',
      "the cluster's product does not allow custom storage (allow_custom_storage is false)"
    )
  const current = facts.diskSizePerNodeBytes
  if (current === null || current <= 0) return skip('unknown_size', 'the disk size per node is not known')
  const max = config.limits.maxDiskSizePerNodeBytes
  if (current >= max) return skip('at_maximum', `the disk is at the maximum of ${max} bytes per node`)
  if (record.lastActionMs !== null) {
    const until = record.lastActionMs + config.limits.cooldownSeconds * 1000
    if (nowMs < until)
      return skip(
        'cooldown',
        `cooldown: the last expansion was ${humanDuration((nowMs - record.lastActionMs) / 1000)} ago`
      )
  }
  if (record.clusterActionsToday >= config.limits.maxPerClusterPerDay)
    return skip('cluster_daily_cap', `${record.clusterActionsToday} expansions of this cluster in 24 h`)
  if (record.organizationActionsToday >= config.limits.maxPerOrganizationPerDay)
    return skip(
      'organization_daily_cap',
      `${record.organizationActionsToday} expansions in this organization in 24 h`
    )
  const window = config.maintenanceWindow
  if (window !== null) {
    const state = windowState(window, nowMs)
    const floodAt = signals.floodStageInSeconds === null ? null : nowMs + signals.floodStageInSeconds * 1000
    if (!state.open && (floodAt === null || floodAt >= state.nextOpenMs))
      return skip(
        'maintenance_window',
        `outside the maintenance window, which opens at ${new Date(state.nextOpenMs).toISOString()}; the flood stage is not forecast before then`
      )
  }
  const toBytes = targetSize(current, config.step, config.roundToBytes, max)
  if (toBytes <= current) return skip('at_maximum', `no size above ${current} bytes fits the maximum`)
  return { kind: 'expand', need: why, fromBytes: current, toBytes }
}
