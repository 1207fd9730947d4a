/**
 * Decoders of the CrateDB Cloud API responses (the API's OpenAPI document describes them), mapping the
 * JSON to the domain types of src/cloud/types.ts. Optional fields may be missing or null; a value of
 * the wrong type is an error naming its JSON path. Fields added to the API later are ignored.
 */
import { type Decoder, SchemaError, array, bool, nullable, num, object, str, withDefault } from './decode.js'
import {
  HEALTH_STATUSES,
  type Cluster,
  type ClusterOperation,
  type ClusterHealth,
  type ConsumptionTotals,
  type CurrentConsumption,
  type CurrentUser,
  type HealthStatus,
  type Organization,
  type Project,
  type Quota
} from './types.js'

export { SchemaError }

const optString = nullable(str, 'string')
const optNumber = nullable(num, 'number')
const optBool = nullable(bool, 'boolean')

export const currentUser: Decoder<CurrentUser> = object<CurrentUser>({
  email: str,
  username: optString,
  organization_roles: withDefault(array(object({ organization_id: str, role_fqn: str })), [])
})

export const organization: Decoder<Organization> = object<Organization>({
  id: str,
  name: str,
  plan_type: optNumber
})

export const project: Decoder<Project> = object<Project>({
  id: str,
  name: str,
  organization_id: str,
  region: optString
})

/** A status the exporter does not know yet is reported as UNKNOWN rather than failing the whole list. */
const healthStatus: Decoder<HealthStatus> = (value, path) => {
  const text = str(value, path)
  return (HEALTH_STATUSES as readonly string[]).includes(text) ? (text as HealthStatus) : 'UNKNOWN'
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * `health.last_seen` is sent without a zone ("2024-09-27T16:59:02.507048") and means UTC. A value with a
 * zone is converted to the same naive UTC form so that consumers can always append "Z".
 */
const lastSeen: Decoder<string | null> = (value, path) => {
  if (value === undefined || value === null || value === '') return null
  const text = str(value, path)
  const match = ISO_TIMESTAMP.exec(text)
  if (match === null || Number.isNaN(Date.parse(match[3] === undefined ? `${text}Z` : text))) {
    throw new SchemaError(path, `expected an ISO timestamp or null, got ${JSON.stringify(text.slice(0, 40))}`)
  }
  return match[3] === undefined ? text : new Date(text).toISOString().slice(0, -1)
}

const health: Decoder<ClusterHealth> = object<ClusterHealth>({
  status: healthStatus,
  running_operation: withDefault(str, ''),
  last_seen: lastSeen
})

const hardwareSpecs = nullable(
  object<NonNullable<Cluster['hardware_specs']>>({
    cpus_per_node: optNumber,
    disk_size_per_node_bytes: optNumber,
    disk_type: optString,
    disks_per_node: optNumber,
    heap_size_bytes: optNumber,
    memory_per_node_bytes: optNumber
  }),
  'object'
)

const lastAsyncOperation = nullable(
  object<NonNullable<Cluster['last_async_operation']>>({ id: str, status: str, type: str }),
  'object'
)

export const cluster: Decoder<Cluster> = object<Cluster>({
  id: str,
  name: str,
  project_id: str,
  crate_version: optString,
  channel: optString,
  product_name: optString,
  product_tier: optString,
  product_unit: optNumber,
  num_nodes: num,
  suspended: bool,
  deletion_protected: optBool,
  hardware_specs: hardwareSpecs,
  health,
  last_async_operation: lastAsyncOperation,
  allow_custom_storage: optBool
})

export const quota: Decoder<Quota> = object<Quota>({ code: str, current_value: num, quota: num })

const totals: Decoder<ConsumptionTotals> = object<ConsumptionTotals>({
  cost: optNumber,
  credits: optNumber,
  total: optNumber
})

const EMPTY_TOTALS: ConsumptionTotals = { cost: null, credits: null, total: null }

interface RawConsumption {
  compute_consumption_this_month: CurrentConsumption['compute']
  storage_consumption_this_month: ConsumptionTotals | null
}

const rawConsumption = object<RawConsumption>({
  compute_consumption_this_month: withDefault(
    array(object({ product_name: str, consumption: withDefault(totals, EMPTY_TOTALS) })),
    []
  ),
  storage_consumption_this_month: nullable(totals, 'object')
})

/** OrganizationCurrentConsumptionSchema: only the this-month parts; `current_cost` is not used. */
export const currentConsumption: Decoder<CurrentConsumption> = (value, path) => {
  const raw = rawConsumption(value, path)
  return { compute: raw.compute_consumption_this_month, storage: raw.storage_consumption_this_month }
}

export const organizations = array(organization)
export const projects = array(project)
export const clusters = array(cluster)
export const quotas = array(quota)

interface RawOperation {
  id: string
  type: string
  status: string
  dc: { created: string | null } | null
}

const rawOperations = object<{ operations: RawOperation[] }>({
  operations: array(
    object<RawOperation>({
      id: str,
      type: str,
      status: str,
      dc: nullable(object({ created: optString }), 'object')
    })
  )
})

/** ClusterAsyncOperationsList: `{"operations": [...]}`, newest first as croud reads it. */
export const clusterOperations: Decoder<ClusterOperation[]> = (value, path) =>
  rawOperations(value, path).operations.map((op) => ({
    id: op.id,
    type: op.type,
    status: op.status,
    created: op.dc?.created ?? null
  }))
