import type { TextSink } from '../../cloud/api.js'
import { addToNode } from './apply.js'
import { emptyOrgMetricsReading, type OrgMetricsReading } from './types.js'
import { FAMILY_NONE, familyAt, familyOfName } from './families.js'
import { createNodeDirectory } from './nodes.js'
import { ROW_FALLBACK, ROW_USED, createPickedRowReader } from './rows.js'
import { COMPILED_ROW_RULES, compileRowRules, type RowRule } from './rules.js'
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
  /** Nodes kept in all and per cluster; more are dropped and counted. Defaults 100,000 and 100. */
  maxNodes?: number
  maxNodesPerCluster?: number
  /** Which rows of each family are used; ROW_RULES by default. Both ways of reading a row follow them. */
  rowRules?: readonly RowRule[]
}

export const DEFAULT_MAX_NODES = 100_000
export const DEFAULT_MAX_NODES_PER_CLUSTER = 100

/** Whether label `index` of the line last scanned (-1: absent) has one of `values`. */
function labelValueIn(scanner: LineScanner, buf: Buffer, index: number, values: readonly Buffer[]): boolean {
  if (index < 0) return false
  for (let k = 0; k < values.length; k++) if (labelValueIs(scanner, buf, index, values[k]!)) return true
  return false
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
  const rules = options.rowRules === undefined ? COMPILED_ROW_RULES : compileRowRules(options.rowRules)
  const picked = createPickedRowReader(scanner, directory, reading, rules)

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

  /** Applies one valid sample of a kept family; returns whether the row was used. */
  const apply = (family: number, buf: Buffer): boolean => {
    const rule = rules[family]!
    const labels = rule.labelBytes
    const value = scanner.value
    const timestampMs = scanner.timestampMs
    const text = rule.textAt < 0 ? -1 : findLabel(scanner, buf, labels[rule.textAt]!)
    if (rule.cluster) {
      const id = findLabel(scanner, buf, labels[0]!)
      if (id < 0) return false
      const clusterName = text < 0 ? '' : labelValue(scanner, buf, text)
      reading.clusterHealth.set(labelValue(scanner, buf, id), { name: clusterName, value })
      return true
    }
    // The row checks, before the pod, as the picked path makes them.
    for (let m = 1; m <= rule.matchCount; m++)
      if (!labelValueIn(scanner, buf, findLabel(scanner, buf, labels[m]!), rule.values[m - 1]!)) return false
    if (rule.timestamp && timestampMs === null) return false
    if (rule.textAt >= 0 && text < 0) return false
    const pod = findLabel(scanner, buf, labels[0]!)
    const node = pod < 0 ? null : directory.nodeAt(buf, pod)
    if (node === null) return false
    addToNode(family, node, value, timestampMs, text < 0 ? null : labelValue(scanner, buf, text))
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
