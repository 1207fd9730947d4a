import {
  FAMILY_CPU,
  FAMILY_HEAP_MAX,
  FAMILY_HEAP_POOL,
  FAMILY_LAST_ACTIVITY,
  FAMILY_MEMORY,
  FAMILY_QUERY_FAILED,
  FAMILY_QUERY_TOTAL,
  FAMILY_READY,
  FAMILY_SHARDS
} from './families.js'
import type { NodeReading } from './types.js'

/**
 * What one used row of a node's family adds to that node's reading: the one place both ways of reading
 * a row (the picked labels of ./rows.ts and the full scan of the reader) end in.
 * The caller has checked the row (container, pool, area, shard property; a timestamp where a rate needs
 * one); `query` is the query type of the crate_query_* families, null for the others.
 */
export function addToNode(
  family: number,
  node: NodeReading,
  value: number,
  timestampMs: number | null,
  query: string | null
): void {
  switch (family) {
    case FAMILY_SHARDS:
      node.storageUsedBytes += value
      node.shards++
      return
    case FAMILY_CPU:
      node.cpuSecondsTotal = { value, timestampMs: timestampMs! }
      return
    case FAMILY_MEMORY:
      node.memoryUsageBytes = value
      return
    case FAMILY_HEAP_POOL:
      node.heapUsedBytes = (node.heapUsedBytes ?? 0) + value
      return
    case FAMILY_HEAP_MAX:
      node.heapMaxBytes = value
      return
    case FAMILY_READY:
      node.ready = value
      return
    case FAMILY_LAST_ACTIVITY:
      node.lastUserActivitySeconds = value
      return
  }
  let counters = node.queries.get(query!)
  if (counters === undefined) node.queries.set(query!, (counters = {}))
  const timed = { value, timestampMs: timestampMs! }
  if (family === FAMILY_QUERY_TOTAL) counters.total = timed
  else if (family === FAMILY_QUERY_FAILED) counters.failed = timed
  else counters.durationMillis = timed
}
