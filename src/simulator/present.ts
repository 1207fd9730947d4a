import { feedbackMessage, operationModifiedMs, operationStatus, runningOperation } from './operations.js'
import type { SimulatorState } from './state.js'
import type { SimCluster, SimOperation, SimOrganization, SimProject } from './types.js'

/** API objects as JSON, with the field names and formats of the OpenAPI document (API notes section 4). */

/** `2024-10-01T12:00:00.123000+00:00`: the offset form the API uses in `dc`. */
export function isoWithOffset(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00')
}

/** Naive UTC with microseconds, as health.last_seen is sent. */
export function naiveIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000')
}

function dc(createdMs: number, modifiedMs: number): { created: string; modified: string } {
  return { created: isoWithOffset(createdMs), modified: isoWithOffset(modifiedMs) }
}

type Json = Record<string, unknown>

/** Fields a newer API might have added; clients must ignore them. */
function extra(state: SimulatorState, body: Json, fields: Json): Json {
  return state.settings.extraFields ? { ...body, ...fields } : body
}

export function presentOrganization(state: SimulatorState, org: SimOrganization): Json {
  return extra(
    state,
    {
      dc: dc(org.createdMs, org.createdMs),
      email: org.email,
      id: org.id,
      name: org.name,
      notifications_enabled: true,
      plan_type: org.planType,
      project_count: state.projects(org.id).length,
      role_fqn: 'org_admin'
    },
    { billing_region: 'eu', feature_flags: { simulated: true } }
  )
}

export function presentProject(state: SimulatorState, project: SimProject): Json {
  return extra(
    state,
    {
      backup_location: null,
      dc: dc(project.createdMs, project.createdMs),
      id: project.id,
      name: project.name,
      organization_id: project.organizationId,
      region: project.region
    },
    { project_labels: { team: 'platform' } }
  )
}

export function presentOperationSummary(op: SimOperation, nowMs: number): Json {
  return {
    dc: dc(op.startedMs, operationModifiedMs(op, nowMs)),
    id: op.id,
    status: operationStatus(op, nowMs),
    type: op.type
  }
}

export function presentOperation(state: SimulatorState, op: SimOperation, nowMs: number): Json {
  const status = operationStatus(op, nowMs)
  return extra(
    state,
    {
      dc: dc(op.startedMs, operationModifiedMs(op, nowMs)),
      entity: 'CLUSTER',
      entity_id: op.clusterId,
      feedback_data: { message: feedbackMessage(op, status) },
      id: op.id,
      non_sensitive_data: op.nonSensitiveData,
      status,
      type: op.type
    },
    { progress_percent: Math.min(100, Math.round(((nowMs - op.startedMs) / op.durationMs) * 100)) }
  )
}

function lastSeen(state: SimulatorState, cluster: SimCluster, nowMs: number): string {
  if (cluster.lastSeenMs !== null && cluster.baseHealth === 'UNREACHABLE') return naiveIso(cluster.lastSeenMs)
  // The operator checks every cluster once a minute.
  const offset = (cluster.createdMs % 60_000) + 17
  const seen = nowMs - ((nowMs - offset) % 60_000)
  return naiveIso(seen)
}

export function presentCluster(state: SimulatorState, cluster: SimCluster): Json {
  const now = state.clock.now()
  const region = state.project(cluster.projectId)?.region ?? 'aks1.westeurope.azure'
  const host = `${cluster.name}.${region}.cratedb.net`
  const last = cluster.operations[cluster.operations.length - 1]
  const ipSeed = parseInt(cluster.id.slice(0, 6), 16)
  const body: Json = {
    allow_custom_storage: cluster.plan.dedicated,
    allow_suspend: cluster.plan.dedicated,
    backup_schedule: '0 * * * *',
    channel: cluster.channel,
    crate_version: cluster.crateVersion,
    dc: dc(cluster.createdMs, cluster.modifiedMs),
    deletion_protected: cluster.deletionProtected,
    external_ip: `20.${(ipSeed >> 16) & 255}.${(ipSeed >> 8) & 255}.${ipSeed & 255}`,
    fqdn: `${host}.`,
    gc_available: true,
    hardware_specs: extra(
      state,
      {
        cpus_per_node: cluster.plan.cpusPerNode,
        disk_size_per_node_bytes: cluster.diskSizePerNodeBytes,
        disk_type: 'premium',
        disks_per_node: 1,
        heap_size_bytes: cluster.plan.heapSizeBytes,
        memory_per_node_bytes: cluster.plan.memoryPerNodeBytes
      },
      { gpus_per_node: 0 }
    ),
    health: extra(
      state,
      {
        last_seen: lastSeen(state, cluster, now),
        running_operation: runningOperation(cluster, now)?.type ?? '',
        status: state.healthStatus(cluster)
      },
      { status_message: '' }
    ),
    id: cluster.id,
    ip_whitelist: [],
    name: cluster.name,
    num_nodes: cluster.nodes.length,
    origin: 'cloud',
    product_name: cluster.plan.productName,
    product_tier: 'default',
    product_unit: cluster.productUnit,
    project_id: cluster.projectId,
    subscription_id: cluster.subscriptionId,
    suspended: cluster.suspended,
    url: `https://${host}:4200`,
    username: 'admin'
  }
  if (last !== undefined) body['last_async_operation'] = presentOperationSummary(last, now)
  return extra(state, body, { autoscaling: { enabled: false }, cluster_tags: [] })
}
