import type { NodeDirectory } from './nodes.js'
import { addToNode } from './apply.js'
import type { OrgMetricsReading } from './types.js'
import { familyNameLength } from './families.js'
import type { CompiledRule } from './rules.js'
import { CR } from '../../prom-text/chars.js'
import { LabelPicker, WantedLabels, rawValueIs } from '../../prom-text/label-picker.js'
import { LINE_SAMPLE, type LineScanner } from '../../prom-text/line-scanner.js'

/** The line is not in the form the API writes: scan it in full. */
export const ROW_FALLBACK = 0
/** A valid sample the reading does not use. */
export const ROW_UNUSED = 1
/** A sample added to the reading; its timestamp is in the scanner's `timestampMs`. */
export const ROW_USED = 2

const MAX_QUERY_TYPES = 64

/** Whether raw, unescaped label value buf[start, end) is one of `values`; false when start < 0. */
function rawValueIn(buf: Buffer, start: number, end: number, values: readonly Buffer[]): boolean {
  for (let k = 0; k < values.length; k++) if (rawValueIs(buf, start, end, values[k]!)) return true
  return false
}

export interface PickedRowReader {
  /**
   * Reads a line of a kept family whose metric name starts at `nameStart`, when it is written the way
   * the API writes it; the result is the one the full scan and lookup would give.
   */
  read(family: number, buf: Buffer, nameStart: number, lineEnd: number): number
  newChunk(): void
}

/**
 * The rows the reader keeps, read without recording every label: the label set is checked and only the
 * labels a family needs are located, compared as raw bytes (no backslash in the line, so no escape), and
 * a pod is found by its bytes. Lines in any other form are left to the full scan.
 */
export function createPickedRowReader(
  scanner: LineScanner,
  directory: NodeDirectory,
  reading: OrgMetricsReading,
  rules: readonly CompiledRule[]
): PickedRowReader {
  const picker = new LabelPicker(scanner)
  // Per family, the labels its rule reads, in the rule's order: starts[k] and ends[k] hold label k.
  const wantedByFamily = rules.map((rule) => new WantedLabels(rule.labels))
  const queryTypes: { raw: Buffer; text: string }[] = []

  const queryType = (buf: Buffer, start: number, end: number): string => {
    for (const known of queryTypes) if (rawValueIs(buf, start, end, known.raw)) return known.text
    const text = buf.toString('utf8', start, end)
    if (queryTypes.length < MAX_QUERY_TYPES)
      queryTypes.push({ raw: Buffer.from(buf.subarray(start, end)), text })
    return text
  }

  const apply = (family: number, buf: Buffer, starts: Int32Array, ends: Int32Array): boolean => {
    const rule = rules[family]!
    const value = scanner.value
    const timestampMs = scanner.timestampMs
    const textAt = rule.textAt
    if (rule.cluster) {
      if (starts[0]! < 0) return false
      const name = textAt < 0 || starts[textAt]! < 0 ? '' : buf.toString('utf8', starts[textAt], ends[textAt])
      reading.clusterHealth.set(buf.toString('utf8', starts[0], ends[0]), { name, value })
      return true
    }
    // Checked before the pod, as the full path does, so the same rows reach the pod lookup.
    const values = rule.values
    for (let m = 1; m <= rule.matchCount; m++)
      if (!rawValueIn(buf, starts[m]!, ends[m]!, values[m - 1]!)) return false
    if (rule.timestamp && timestampMs === null) return false
    if (textAt >= 0 && starts[textAt]! < 0) return false
    if (starts[0]! < 0) return false
    const node = directory.nodeOfRaw(buf, starts[0]!, ends[0]!)
    if (node === null) return false
    const query = textAt < 0 ? null : queryType(buf, starts[textAt]!, ends[textAt]!)
    addToNode(family, node, value, timestampMs, query)
    return true
  }

  return {
    read(family, buf, nameStart, lineEnd) {
      const end = buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd
      const nameEnd = nameStart + familyNameLength(family)
      const wanted = wantedByFamily[family]!
      const after = picker.pick(buf, nameEnd, end, wanted)
      if (after < 0) return ROW_FALLBACK
      scanner.nameStart = nameStart
      scanner.nameEnd = nameEnd
      if (scanner.scanSample(buf, after, end) !== LINE_SAMPLE) return ROW_FALLBACK
      return apply(family, buf, wanted.starts, wanted.ends) ? ROW_USED : ROW_UNUSED
    },
    newChunk() {
      picker.newChunk()
    }
  }
}
