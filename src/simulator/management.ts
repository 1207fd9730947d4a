import { layoutNodes } from './cluster-factory.js'
import { runningOperation, startOperation } from './operations.js'
import type { SimulatorState } from './state.js'
import type { SimCluster } from './types.js'

/** The mutating endpoints' rules (API notes 4.7); a broken rule is a 400 with the field at fault. */
export class ManagementError extends Error {
  override readonly name = 'ManagementError'
  readonly code = 'CCE_SIM_BAD_REQUEST'
  constructor(
    message: string,
    readonly errors: Record<string, string>
  ) {
    super(message)
  }
}

function ensureIdle(state: SimulatorState, cluster: SimCluster): void {
  if (runningOperation(cluster, state.clock.now()) !== undefined)
    throw new ManagementError('Another operation is already running on this cluster.', { cluster: 'busy' })
}

function integerField(body: unknown, field: string): number {
  const value = (body as Record<string, unknown> | null)?.[field]
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new ManagementError('Bad request', { [field]: 'Not a valid integer.' })
  return value
}

/** Grows the disks: the cluster is suspended while the volumes are resized, then comes back bigger. */
export function expandStorage(state: SimulatorState, cluster: SimCluster, body: unknown): void {
  const bytes = integerField(body, 'disk_size_per_node_bytes')
  if (!cluster.plan.dedicated)
    throw new ManagementError('Bad request', {
      disk_size_per_node_bytes: 'Custom storage is not allowed for this product.'
    })
  if (bytes <= cluster.diskSizePerNodeBytes)
    throw new ManagementError('Bad request', { disk_size_per_node_bytes: 'Storage can only be increased.' })
  ensureIdle(state, cluster)
  startOperation(state.random, cluster, state.clock.now(), {
    type: 'EXPAND_STORAGE',
    durationMs: state.settings.operationMs,
    fails: state.settings.operationsFail,
    nonSensitiveData: {
      current_disk_size_bytes: cluster.diskSizePerNodeBytes,
      target_disk_size_bytes: bytes
    },
    apply: (target) => {
      target.diskSizePerNodeBytes = bytes
    }
  })
}

export function scale(state: SimulatorState, cluster: SimCluster, body: unknown): void {
  const unit = integerField(body, 'product_unit')
  if (unit < 0 || unit > cluster.plan.maxNodes - 1)
    throw new ManagementError('Bad request', {
      product_unit: `Must be between 0 and ${cluster.plan.maxNodes - 1}.`
    })
  ensureIdle(state, cluster)
  startOperation(state.random, cluster, state.clock.now(), {
    type: 'SCALE',
    durationMs: state.settings.operationMs,
    fails: state.settings.operationsFail,
    nonSensitiveData: {
      current_num_nodes: cluster.nodes.length,
      current_product_unit: cluster.productUnit,
      target_num_nodes: unit + 1,
      target_product_unit: unit
    },
    apply: (target) => {
      layoutNodes(
        state.random,
        target,
        unit + 1,
        state.clock.now(),
        state.settings.cpuLoad * target.loadFactor
      )
      target.productUnit = unit
    }
  })
}

export function suspend(state: SimulatorState, cluster: SimCluster, body: unknown): void {
  const value = (body as Record<string, unknown> | null)?.['suspended']
  if (typeof value !== 'boolean')
    throw new ManagementError('Bad request', { suspended: 'Not a valid boolean.' })
  if (!cluster.plan.dedicated)
    throw new ManagementError('Only clusters with the products cr1-4 can be suspended.', {
      suspended: 'not allowed'
    })
  ensureIdle(state, cluster)
  startOperation(state.random, cluster, state.clock.now(), {
    type: 'SUSPEND',
    durationMs: state.settings.operationMs,
    fails: state.settings.operationsFail,
    nonSensitiveData: { current_suspended: cluster.suspended, target_suspended: value },
    apply: (target) => {
      target.suspended = value
    }
  })
}
