import * as cadvisor from './families-cadvisor.js'
import * as crate from './families-crate.js'
import * as jvm from './families-jvm.js'
import { escapeLabelValue } from './format.js'
import { ChunkWriter, RecordedRows, templateOf, type Rows, type Template } from './rows.js'
import type { ClusterSnapshot, NodeSnapshot, OrgSnapshot } from './snapshot.js'

/**
 * The body of GET /api/v2/organizations/{org}/metrics/prometheus/ as the real one looks: no HELP/TYPE,
 * families sorted by name (each family holds every cluster), label names sorted, float values, millisecond
 * timestamps, blank lines at the end. Produced in chunks so a body of a GB is never held whole.
 */

type FamilyRows = (cluster: ClusterSnapshot, out: Rows) => void

function healthRows(c: ClusterSnapshot, out: Rows): void {
  if (c.healthValue === null) return
  const hash = c.operatorPod.split('-')[2] ?? ''
  out.sample(
    () =>
      `cloud_clusters_health{cluster_id="${c.id}",cluster_name="${escapeLabelValue(c.name)}",exported_namespace="${c.namespace}",helm_sh_chart="crate-operator-2.60.0",namespace="cloud-app",pod_name="${c.operatorPod}",pod_template_hash="${hash}"}`,
    c.healthValue,
    c.healthTs
  )
}

/** Kept in the order of their names (a test checks it). */
export const FAMILIES: readonly (readonly [string, FamilyRows])[] = [
  ['cloud_clusters_health', healthRows],
  ['container_cpu_usage_seconds_total', cadvisor.cpuRows],
  ['container_fs_reads_bytes_total', cadvisor.fsReadRows],
  ['container_fs_writes_bytes_total', cadvisor.fsWriteRows],
  ['container_memory_usage_bytes', cadvisor.memoryRows],
  ['container_network_receive_bytes_total', cadvisor.networkReceiveRows],
  ['container_network_transmit_bytes_total', cadvisor.networkTransmitRows],
  ['crate_circuitbreakers', crate.circuitBreakerRows],
  ['crate_cluster_state_version', crate.clusterStateVersionRows],
  ['crate_connections', crate.connectionRows],
  ['crate_is_master', crate.isMasterRows],
  ['crate_node', crate.nodeRows],
  ['crate_query_affected_row_count', crate.queryAffectedRows],
  ['crate_query_failed_count', crate.queryFailedRows],
  ['crate_query_sum_of_durations_millis', crate.queryDurationRows],
  ['crate_query_total_count', crate.queryTotalRows],
  ['crate_ready', crate.readyRows],
  ['crate_roles', crate.rolesRows],
  ['crate_threadpools', crate.threadpoolRows],
  ['cratedb_cluster_last_user_activity', crate.lastUserActivityRows],
  ['cratedb_max_shards_per_node', crate.maxShardsRows],
  ['cratedb_num_large_translogs', crate.largeTranslogRows],
  ['jvm_buffer_pool_used_bytes', jvm.bufferPoolRows],
  ['jvm_gc_collection_seconds_count', jvm.gcCountRows],
  ['jvm_gc_collection_seconds_sum', jvm.gcSumRows],
  ['jvm_memory_bytes_max', jvm.memoryMaxRows],
  ['jvm_memory_pool_bytes_used', jvm.memoryPoolRows],
  ['up', crate.upRows]
]

const TRAILER = '\n\n\n\n\n\n'

/**
 * The parts of a cluster that its series texts are made of. Snapshots share these objects with the
 * simulated cluster, which replaces them (never edits them) when it changes, so comparing them by
 * reference tells whether the texts rendered last time still hold.
 */
interface Shape {
  readonly name: string
  readonly namespace: string
  readonly operatorPod: string
  readonly sidecars: ClusterSnapshot['sidecars']
  readonly health: boolean
  readonly nodes: readonly Pick<NodeSnapshot, 'pod' | 'containerIds' | 'shards'>[]
}

function shapeOf(c: ClusterSnapshot): Shape {
  return {
    name: c.name,
    namespace: c.namespace,
    operatorPod: c.operatorPod,
    sidecars: c.sidecars,
    health: c.healthValue !== null,
    nodes: c.nodes.map(({ pod, containerIds, shards }) => ({ pod, containerIds, shards }))
  }
}

function sameShape(shape: Shape, c: ClusterSnapshot): boolean {
  if (
    shape.name !== c.name ||
    shape.namespace !== c.namespace ||
    shape.operatorPod !== c.operatorPod ||
    shape.sidecars !== c.sidecars ||
    shape.health !== (c.healthValue !== null) ||
    shape.nodes.length !== c.nodes.length
  )
    return false
  return c.nodes.every((n, k) => {
    const known = shape.nodes[k]!
    return known.pod === n.pod && known.containerIds === n.containerIds && known.shards === n.shards
  })
}

interface ClusterTemplates {
  readonly shape: Shape
  /** By index in FAMILIES. */
  readonly families: (Template | undefined)[]
}

/**
 * Series texts kept between bodies, per organization and cluster. A body of 10,000 clusters keeps
 * about 0.8 of its size here (off the JS heap): the price of rendering it at several hundred MB/s.
 */
export class TemplateCache {
  readonly organizations = new Map<string, Map<string, ClusterTemplates>>()
}

/** Writes a family's rows from its template, checking that the family still has as many rows. */
class TemplateRows implements Rows {
  private template: Template | null = null
  private row = 0

  constructor(private readonly writer: ChunkWriter) {}

  replay(template: Template, family: FamilyRows, cluster: ClusterSnapshot): void {
    this.template = template
    this.row = 0
    family(cluster, this)
    if (this.row !== template.ends.length)
      throw new RangeError(
        `cluster ${cluster.id}: ${this.row} rows where its template has ${template.ends.length}`
      )
  }

  sample(_series: () => string, value: number, timestampMs: number): void {
    this.writer.row(this.template!, this.row++, value, timestampMs)
  }
}

/**
 * Yields the body in chunks of about 128 KiB. Series texts come from `cache` where a cluster kept its
 * shape since the last body of the organization, and are kept there for the next one.
 */
export function* renderChunks(
  snapshot: OrgSnapshot,
  cache: TemplateCache = new TemplateCache()
): Generator<Buffer, void, undefined> {
  const known = cache.organizations.get(snapshot.organizationId)
  const next = new Map<string, ClusterTemplates>()
  const entries = snapshot.clusters.map((c) => {
    let entry = known?.get(c.id)
    if (entry === undefined || !sameShape(entry.shape, c)) entry = { shape: shapeOf(c), families: [] }
    next.set(c.id, entry)
    return entry
  })
  // Kept from the start: a body whose reader hangs up half way still leaves its texts for the next one.
  cache.organizations.set(snapshot.organizationId, next)
  const writer = new ChunkWriter()
  const rows = new TemplateRows(writer)
  for (let index = 0; index < FAMILIES.length; index++) {
    const family = FAMILIES[index]![1]
    for (let k = 0; k < entries.length; k++) {
      const cluster = snapshot.clusters[k]!
      const entry = entries[k]!
      const template = entry.families[index]
      if (template === undefined) entry.families[index] = firstRender(writer, family, cluster)
      else rows.replay(template, family, cluster)
      if (writer.ready.length > 0) yield* writer.ready.splice(0)
    }
  }
  writer.text(TRAILER)
  writer.flush()
  yield* writer.ready.splice(0)
}

function firstRender(writer: ChunkWriter, family: FamilyRows, cluster: ClusterSnapshot): Template {
  const recorded = new RecordedRows()
  family(cluster, recorded)
  const template = templateOf(recorded)
  for (let row = 0; row < template.ends.length; row++)
    writer.row(template, row, recorded.values[row]!, recorded.timestamps[row]!)
  return template
}
