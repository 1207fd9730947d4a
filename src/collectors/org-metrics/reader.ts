import type { TextSink } from '../../cloud/api.js'
import { addToNode } from './apply.js'
import { emptyOrgMetricsReading, type NodeReading, type OrgMetricsReading } from './types.js'
import {
  FAMILY_CPU,
  FAMILY_HEALTH,
  FAMILY_HEAP_MAX,
  FAMILY_HEAP_POOL,
  FAMILY_MEMORY,
  FAMILY_NONE,
  FAMILY_QUERY_DURATION,
  FAMILY_QUERY_FAILED,
  FAMILY_QUERY_TOTAL,
  FAMILY_SHARDS,
  familyAt,
  familyOfName
} from './families.js'
import { createNodeDirectory } from './nodes.js'
import { ROW_FALLBACK, ROW_USED, createPickedRowReader } from './rows.js'
import { BLANK, CHAR_CLASS, LF, METRIC_START } from '../../prom-text/chars.js'
import { findLabel, labelValueIs } from '../../prom-text/label-lookup.js'
import { LINE_INVALID, LINE_SAMPLE, LineScanner, labelValue } from '../../prom-text/line-scanner.js'
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from '../../prom-text/line-splitter.js'

export interface OrgMetricsReaderOptions {
  /**
   * Check the syntax of every line, so that `invalidLines` counts every bad line of the body. By default
   * (false) a line of a family the reader does not keep is dropped after its metric name, unread; only
   * lines that do not even start with a name, a comment or a blank are then counted among the invalid.
   */
  validateDropped?: boolean
  /** Longer lines are counted invalid without being held; default 1 MiB. */
  maxLineBytes?: number
  /** The inventory's clusters: nodes of other clusters are dropped and counted. All kept when absent. */
  knownClusters?: (clusterId: string) => boolean
  /** Nodes kept in all and per cluster; more are dropped and counted. Defaults 10,000 and 100. */
  maxNodes?: number
  maxNodesPerCluster?: number
}

export const DEFAULT_MAX_NODES = 10_000
export const DEFAULT_MAX_NODES_PER_CLUSTER = 100

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8')
const LABEL = {
  clusterId: bytes('cluster_id'),
  clusterName: bytes('cluster_name'),
  container: bytes('container'),
  pod: bytes('pod'),
  podName: bytes('pod_name'),
  pool: bytes('pool'),
  area: bytes('area'),
  name: bytes('name'),
  property: bytes('property'),
  query: bytes('query')
}
const VALUE = {
  crate: bytes('crate'),
  heap: bytes('heap'),
  shardInfo: bytes('shard_info'),
  size: bytes('size'),
  eden: bytes('G1 Eden Space'),
  oldGen: bytes('G1 Old Gen'),
  survivor: bytes('G1 Survivor Space')
}

/**
 * A sink for the organization metrics body (GET .../metrics/prometheus/) that keeps only what the
 * exporter publishes. Most lines (thread pools, circuit breakers, file system counters...) are dropped by
 * their metric name before any label is read. The body itself is never held, only the unfinished line
 * at the end of a chunk.
 */
export function createOrgMetricsReader(options: OrgMetricsReaderOptions = {}): TextSink<OrgMetricsReading> {
  const validateDropped = options.validateDropped ?? false
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  const reading = emptyOrgMetricsReading()
  const scanner = new LineScanner()
  const directory = createNodeDirectory(scanner, reading, {
    ...(options.knownClusters === undefined ? {} : { knownClusters: options.knownClusters }),
    maxNodes: options.maxNodes ?? DEFAULT_MAX_NODES,
    maxNodesPerCluster: options.maxNodesPerCluster ?? DEFAULT_MAX_NODES_PER_CLUSTER
  })
  const picked = createPickedRowReader(scanner, directory, reading)

  const invalid = (line: number, message: string): void => {
    reading.invalidLines++
    reading.firstInvalid ??= { line, message }
  }

  const keep = (timestampMs: number | null): void => {
    if (timestampMs === null) return
    if (reading.newestSampleMs === null || timestampMs > reading.newestSampleMs)
      reading.newestSampleMs = timestampMs
    if (reading.oldestSampleMs === null || timestampMs < reading.oldestSampleMs)
      reading.oldestSampleMs = timestampMs
  }

  /** The node of a crate pod named by `label`, or null (another pod, or no such label). */
  const nodeOf = (buf: Buffer, label: Buffer): NodeReading | null => {
    const index = findLabel(scanner, buf, label)
    return index < 0 ? null : directory.nodeAt(buf, index)
  }

  /** Applies one valid sample of a kept family; returns whether the row was used. */
  const apply = (family: number, buf: Buffer): boolean => {
    const value = scanner.value
    const timestampMs = scanner.timestampMs
    if (family === FAMILY_HEALTH) {
      const id = findLabel(scanner, buf, LABEL.clusterId)
      if (id < 0) return false
      const name = findLabel(scanner, buf, LABEL.clusterName)
      const clusterName = name < 0 ? '' : labelValue(scanner, buf, name)
      reading.clusterHealth.set(labelValue(scanner, buf, id), { name: clusterName, value })
      return true
    }
    // The row checks, before the pod, in the order the picked path makes them.
    let queryLabel = -1
    switch (family) {
      case FAMILY_CPU:
      case FAMILY_MEMORY:
        if (!labelValueIs(scanner, buf, findLabel(scanner, buf, LABEL.container), VALUE.crate)) return false
        if (family === FAMILY_CPU && timestampMs === null) return false
        break
      case FAMILY_HEAP_POOL: {
        const pool = findLabel(scanner, buf, LABEL.pool)
        if (
          !labelValueIs(scanner, buf, pool, VALUE.eden) &&
          !labelValueIs(scanner, buf, pool, VALUE.oldGen) &&
          !labelValueIs(scanner, buf, pool, VALUE.survivor)
        )
          return false
        break
      }
      case FAMILY_HEAP_MAX:
        if (!labelValueIs(scanner, buf, findLabel(scanner, buf, LABEL.area), VALUE.heap)) return false
        break
      case FAMILY_SHARDS:
        if (!labelValueIs(scanner, buf, findLabel(scanner, buf, LABEL.name), VALUE.shardInfo)) return false
        if (!labelValueIs(scanner, buf, findLabel(scanner, buf, LABEL.property), VALUE.size)) return false
        break
      case FAMILY_QUERY_TOTAL:
      case FAMILY_QUERY_FAILED:
      case FAMILY_QUERY_DURATION: {
        if (timestampMs === null) return false
        queryLabel = findLabel(scanner, buf, LABEL.query)
        if (queryLabel < 0) return false
        break
      }
    }
    const node = nodeOf(buf, family === FAMILY_CPU || family === FAMILY_MEMORY ? LABEL.pod : LABEL.podName)
    if (node === null) return false
    addToNode(family, node, value, timestampMs, queryLabel < 0 ? null : labelValue(scanner, buf, queryLabel))
    return true
  }

  const onLine = (buf: Buffer, start: number, end: number, line: number): void => {
    let family: number
    if (validateDropped) {
      const kind = scanner.scan(buf, start, end)
      if (kind === LINE_INVALID) invalid(line, scanner.error)
      if (kind !== LINE_SAMPLE) return
      family = familyOfName(buf, scanner.nameStart, scanner.nameEnd)
      if (family === FAMILY_NONE) return
    } else {
      // Dropped lines cost only their metric name: no label is scanned.
      let nameStart = start
      while (nameStart < end && (CHAR_CLASS[buf[nameStart]!]! & BLANK) !== 0) nameStart++
      family = familyAt(buf, nameStart, end)
      if (family === FAMILY_NONE && nameStart < end && (CHAR_CLASS[buf[nameStart]!]! & METRIC_START) === 0) {
        // Not a name: a comment, a lone CR, or garbage such as an HTML error page, which must show.
        if (scanner.scan(buf, start, end) === LINE_INVALID) invalid(line, scanner.error)
        return
      }
      if (family === FAMILY_NONE) return
      const row = picked.read(family, buf, nameStart, end)
      if (row === ROW_USED) keep(scanner.timestampMs)
      if (row !== ROW_FALLBACK) return
      const kind = scanner.scan(buf, start, end)
      if (kind === LINE_INVALID) invalid(line, scanner.error)
      if (kind !== LINE_SAMPLE) return
    }
    if (apply(family, buf)) keep(scanner.timestampMs)
  }

  const splitter = new LineSplitter(
    onLine,
    (line) => invalid(line, `line longer than ${maxLineBytes} bytes`),
    maxLineBytes
  )

  let lastByte = LF
  return {
    write(chunk) {
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1]!
      scanner.newChunk()
      picked.newChunk()
      splitter.write(chunk)
    },
    end() {
      splitter.end()
      reading.bytes = splitter.bytes
      reading.lines = splitter.lines
      reading.endsInsideLine = lastByte !== LF
      return reading
    }
  }
}
