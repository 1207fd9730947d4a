import type { Random } from './random.js'
import type { Shard, TableSpec } from './types.js'

const TABLE_NAMES = [
  'sensor_readings',
  'events',
  'orders',
  'customers',
  'metrics_1m',
  'audit_log',
  'devices',
  'page_views',
  'invoices',
  'sessions',
  'alerts',
  'inventory'
]
const PARTITIONED = new Set(['sensor_readings', 'events', 'metrics_1m', 'page_views'])
const GC_TABLES = ['alembic_version', 'jwt_refresh_token', 'scheduled_jobs', 'scheduled_jobs_state']
const BASE32HEX = '0123456789abcdefghijklmnopqrstuv'

function partitionIdent(random: Random): string {
  let out = '04732d'
  while (out.length < 24) out += BASE32HEX.charAt(random.int(0, 31))
  return out
}

/** Tables whose shard copies come to about `shardsPerNode` per node. */
export function createTables(random: Random, numNodes: number, shardsPerNode: number): TableSpec[] {
  const tables: TableSpec[] = GC_TABLES.map((table) => ({
    schema: 'gc',
    table,
    partitions: null,
    shards: 1,
    replicas: 1,
    weight: 0.0005
  }))
  const target = Math.max(1, shardsPerNode) * numNodes
  let copies = tables.length * Math.min(2, numNodes)
  for (let i = 0; copies < target; i++) {
    const name = TABLE_NAMES[i % TABLE_NAMES.length] ?? 'data'
    const table = i < TABLE_NAMES.length ? name : `${name}_${Math.floor(i / TABLE_NAMES.length)}`
    const partitioned = PARTITIONED.has(name)
    const partitions = partitioned
      ? Array.from({ length: random.int(2, 12) }, () => partitionIdent(random))
      : null
    const shards = random.int(1, Math.max(2, numNodes * 2))
    const replicas = numNodes > 1 ? random.int(0, 1) : 0
    tables.push({ schema: 'doc', table, partitions, shards, replicas, weight: Math.exp(random.next() * 6) })
    copies += (partitions?.length ?? 1) * shards * Math.min(replicas + 1, numNodes)
  }
  return tables
}

/**
 * Places every shard copy on a node (copies of one shard on distinct nodes, as CrateDB does). Returns,
 * per node, its shards with weights normalised to the node, and the node's share of the cluster's bytes.
 */
export function placeShards(
  tables: readonly TableSpec[],
  numNodes: number
): { shards: Shard[]; share: number }[] {
  const raw: { shard: Omit<Shard, 'weight'>; weight: number }[][] = Array.from({ length: numNodes }, () => [])
  let total = 0
  let cursor = 0
  for (const table of tables) {
    const partitions = table.partitions ?? [null]
    const perCopy = table.weight / (partitions.length * table.shards)
    for (const partitionIdent of partitions) {
      for (let shard = 0; shard < table.shards; shard++) {
        const copies = Math.min(table.replicas + 1, numNodes)
        for (let copy = 0; copy < copies; copy++) {
          const node = (cursor + copy) % numNodes
          raw[node]?.push({
            shard: { schema: table.schema, table: table.table, partitionIdent, primary: copy === 0 },
            weight: perCopy
          })
          total += perCopy
        }
        cursor++
      }
    }
  }
  return raw.map((entries) => {
    const nodeWeight = entries.reduce((sum, entry) => sum + entry.weight, 0)
    return {
      shards: entries.map((entry) => ({
        ...entry.shard,
        weight: nodeWeight > 0 ? entry.weight / nodeWeight : 0
      })),
      share: total > 0 ? nodeWeight / total : 0
    }
  })
}
