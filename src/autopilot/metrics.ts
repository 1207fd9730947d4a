import { Counter, Gauge, type Registry } from 'prom-client'
import { trackChanges } from '../metrics/change-tracking.js'

/** What became of one decision or action of the storage autopilot. */
export type ActionOutcome = 'dry_run' | 'requested' | 'succeeded' | 'failed' | 'refused' | 'skipped'

export const ACTION_OUTCOMES: readonly ActionOutcome[] = [
  'dry_run',
  'requested',
  'succeeded',
  'failed',
  'refused',
  'skipped'
]

export interface AutopilotMetrics {
  readonly actions: Counter<'cluster_id' | 'cluster_name' | 'outcome'>
  readonly lastAction: Gauge<'cluster_id' | 'cluster_name'>
}

/** Registered only when autopilot.storage is configured. */
export function createAutopilotMetrics(registry: Registry): AutopilotMetrics {
  return {
    actions: trackChanges(
      new Counter({
        name: 'cratedb_cloud_autopilot_storage_actions_total',
        help: 'Decisions and actions of the storage autopilot per cluster, by outcome: dry_run (would expand), requested (PUT storage accepted), succeeded / failed (the operation ended so, or was not followed to its end in time), refused (HTTP 403: the key may not change the cluster), skipped (a need was not acted on; the log says why).',
        labelNames: ['cluster_id', 'cluster_name', 'outcome'],
        registers: [registry]
      }),
      registry
    ),
    lastAction: trackChanges(
      new Gauge({
        name: 'cratedb_cloud_autopilot_storage_last_action_timestamp_seconds',
        help: 'When the storage autopilot last reported an expansion of the cluster (dry_run, requested, succeeded, failed or refused).',
        labelNames: ['cluster_id', 'cluster_name'],
        registers: [registry]
      }),
      registry
    )
  }
}
