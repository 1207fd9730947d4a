import { parseStorageAutopilot, type StorageAutopilotConfig } from '../config/autopilot.js'

/**
 * The policy the demo command runs when its configuration has none: dry-run, so that the status page
 * shows what the autopilot would do for the demo's near-full cluster without changing anything.
 */
export const DEMO_STORAGE_POLICY = {
  mode: 'dry_run',
  trigger: { fullest_node_above: 0.85, for: '2m', flood_stage_within: '24h' },
  step: '25%',
  limits: { max_disk_size_per_node: '4TiB' }
} as const

export function demoStoragePolicy(): StorageAutopilotConfig {
  const problems: string[] = []
  const config = parseStorageAutopilot(DEMO_STORAGE_POLICY, problems)
  if (config === null) throw new Error(`the demo's storage policy is invalid: ${problems.join('; ')}`)
  return config
}
