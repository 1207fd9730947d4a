import type { Random } from './random.js'
import type { OperationStatus, OperationType, SimCluster, SimOperation } from './types.js'

/**
 * Asynchronous cluster operations (API notes 4.6/4.7): REGISTERED for a second, SENT for a second, then
 * IN_PROGRESS until the end, then SUCCEEDED (the change is applied then, once) or FAILED. Evaluated lazily
 * from the clock, so a manual clock drives them step by step.
 */

const REGISTERED_MS = 1000
const SENT_MS = 1000

export function operationStatus(op: SimOperation, nowMs: number): OperationStatus {
  const elapsed = nowMs - op.startedMs
  if (elapsed < REGISTERED_MS) return 'REGISTERED'
  if (elapsed < REGISTERED_MS + SENT_MS) return 'SENT'
  if (elapsed < op.durationMs) return 'IN_PROGRESS'
  return op.fails ? 'FAILED' : 'SUCCEEDED'
}

export function isFinal(status: OperationStatus): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED'
}

/** When the status last changed, for the operation's dc.modified. */
export function operationModifiedMs(op: SimOperation, nowMs: number): number {
  const elapsed = nowMs - op.startedMs
  if (elapsed < REGISTERED_MS) return op.startedMs
  if (elapsed < REGISTERED_MS + SENT_MS) return op.startedMs + REGISTERED_MS
  if (elapsed < op.durationMs) return op.startedMs + REGISTERED_MS + SENT_MS
  return op.startedMs + op.durationMs
}

export interface StartOperation {
  readonly type: OperationType
  readonly durationMs: number
  readonly fails?: boolean
  readonly nonSensitiveData?: Record<string, unknown>
  readonly apply: (cluster: SimCluster) => void
}

export function startOperation(
  random: Random,
  cluster: SimCluster,
  nowMs: number,
  start: StartOperation
): SimOperation {
  const op: SimOperation = {
    id: random.uuid(),
    type: start.type,
    clusterId: cluster.id,
    startedMs: nowMs,
    durationMs: Math.max(REGISTERED_MS + SENT_MS + 1, start.durationMs),
    fails: start.fails ?? false,
    nonSensitiveData: start.nonSensitiveData ?? {},
    apply: start.apply,
    finished: false
  }
  cluster.operations.push(op)
  return op
}

/** Applies the operations that have succeeded since the last call, oldest first. */
export function settleOperations(cluster: SimCluster, nowMs: number): void {
  for (const op of cluster.operations) {
    if (op.finished) continue
    const status = operationStatus(op, nowMs)
    if (!isFinal(status)) continue
    op.finished = true
    if (status === 'SUCCEEDED') {
      op.apply(cluster)
      cluster.modifiedMs = op.startedMs + op.durationMs
    }
  }
}

export function runningOperation(cluster: SimCluster, nowMs: number): SimOperation | undefined {
  return cluster.operations.find((op) => !op.finished && !isFinal(operationStatus(op, nowMs)))
}

export function feedbackMessage(op: SimOperation, status: OperationStatus): string {
  if (status === 'FAILED') return 'The operation failed. Please contact support.'
  if (status === 'SUCCEEDED') return 'The operation completed successfully.'
  if (status === 'REGISTERED') return 'Your request was received and is pending processing.'
  if (status === 'SENT') return 'Your request was sent to the region.'
  switch (op.type) {
    case 'EXPAND_STORAGE':
      return 'Suspending cluster and waiting for Persistent Volume Claim(s) to be resized.'
    case 'SCALE':
      return 'Scaling the cluster. Waiting for node(s) to be present.'
    case 'SUSPEND':
      return 'Changing the number of running nodes. Waiting for node(s).'
    case 'UPGRADE':
      return 'Upgrading the cluster node by node.'
    case 'CREATE':
      return 'Creating the cluster. Waiting for node(s) to be present.'
  }
}
