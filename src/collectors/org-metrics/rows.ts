import type { NodeDirectory } from './nodes.js'
import { addToNode } from './apply.js'
import type { OrgMetricsReading } from './types.js'
import {
  FAMILY_CPU,
  FAMILY_HEALTH,
  FAMILY_HEAP_MAX,
  FAMILY_HEAP_POOL,
  FAMILY_LAST_ACTIVITY,
  FAMILY_MEMORY,
  FAMILY_QUERY_DURATION,
  FAMILY_QUERY_FAILED,
  FAMILY_QUERY_TOTAL,
  FAMILY_READY,
  FAMILY_SHARDS,
  familyNameLength,
  isQueryFamily
} from './families.js'
import { CR } from '../../prom-text/chars.js'
import { LabelPicker, WantedLabels, rawValueIs } from '../../prom-text/label-picker.js'
import { LINE_SAMPLE, type LineScanner } from '../../prom-text/line-scanner.js'

/** The line is not in the form the API writes: scan it in full. */
export const ROW_FALLBACK = 0
/** A valid sample the reading does not use. */
export const ROW_UNUSED = 1
/** A sample added to the reading; its timestamp is in the scanner's `timestampMs`. */
export const ROW_USED = 2

const ascii = (text: string): Buffer => Buffer.from(text, 'utf8')
const CRATE = ascii('crate')
const HEAP = ascii('heap')
const SHARD_INFO = ascii('shard_info')
const SIZE = ascii('size')
const EDEN = ascii('G1 Eden Space')
const OLD_GEN = ascii('G1 Old Gen')
const SURVIVOR = ascii('G1 Survivor Space')
const MAX_QUERY_TYPES = 64

/** Per family, the labels read; the pod first. */
function wantedLabels(): WantedLabels[] {
  const WANTED: WantedLabels[] = []
  WANTED[FAMILY_HEALTH] = new WantedLabels(['cluster_id', 'cluster_name'])
  WANTED[FAMILY_CPU] = new WantedLabels(['pod', 'container'])
  WANTED[FAMILY_MEMORY] = new WantedLabels(['pod', 'container'])
  WANTED[FAMILY_HEAP_POOL] = new WantedLabels(['pod_name', 'pool'])
  WANTED[FAMILY_HEAP_MAX] = new WantedLabels(['pod_name', 'area'])
  WANTED[FAMILY_SHARDS] = new WantedLabels(['pod_name', 'name', 'property'])
  WANTED[FAMILY_READY] = new WantedLabels(['pod_name'])
  WANTED[FAMILY_LAST_ACTIVITY] = new WantedLabels(['pod_name'])
  WANTED[FAMILY_QUERY_TOTAL] = new WantedLabels(['pod_name', 'query'])
  WANTED[FAMILY_QUERY_FAILED] = new WantedLabels(['pod_name', 'query'])
  WANTED[FAMILY_QUERY_DURATION] = new WantedLabels(['pod_name', 'query'])
  return WANTED
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
  reading: OrgMetricsReading
): PickedRowReader {
  const picker = new LabelPicker(scanner)
  const wantedByFamily = wantedLabels()
  const queryTypes: { raw: Buffer; text: string }[] = []

  const queryType = (buf: Buffer, start: number, end: number): string => {
    for (const known of queryTypes) if (rawValueIs(buf, start, end, known.raw)) return known.text
    const text = buf.toString('utf8', start, end)
    if (queryTypes.length < MAX_QUERY_TYPES)
      queryTypes.push({ raw: Buffer.from(buf.subarray(start, end)), text })
    return text
  }

  const apply = (family: number, buf: Buffer, starts: Int32Array, ends: Int32Array): boolean => {
    const value = scanner.value
    const timestampMs = scanner.timestampMs
    if (family === FAMILY_HEALTH) {
      if (starts[0]! < 0) return false
      const name = starts[1]! < 0 ? '' : buf.toString('utf8', starts[1], ends[1])
      reading.clusterHealth.set(buf.toString('utf8', starts[0], ends[0]), { name, value })
      return true
    }
    // Checked before the pod, as the full path does, so the same rows reach the pod lookup.
    switch (family) {
      case FAMILY_CPU:
      case FAMILY_MEMORY:
        if (!rawValueIs(buf, starts[1]!, ends[1]!, CRATE)) return false
        if (family === FAMILY_CPU && timestampMs === null) return false
        break
      case FAMILY_HEAP_POOL: {
        const s = starts[1]!
        const e = ends[1]!
        if (
          !rawValueIs(buf, s, e, EDEN) &&
          !rawValueIs(buf, s, e, OLD_GEN) &&
          !rawValueIs(buf, s, e, SURVIVOR)
        )
          return false
        break
      }
      case FAMILY_HEAP_MAX:
        if (!rawValueIs(buf, starts[1]!, ends[1]!, HEAP)) return false
        break
      case FAMILY_SHARDS:
        if (!rawValueIs(buf, starts[1]!, ends[1]!, SHARD_INFO)) return false
        if (!rawValueIs(buf, starts[2]!, ends[2]!, SIZE)) return false
        break
      case FAMILY_QUERY_TOTAL:
      case FAMILY_QUERY_FAILED:
      case FAMILY_QUERY_DURATION:
        if (timestampMs === null || starts[1]! < 0) return false
        break
    }
    if (starts[0]! < 0) return false
    const node = directory.nodeOfRaw(buf, starts[0]!, ends[0]!)
    if (node === null) return false
    const query = isQueryFamily(family) ? queryType(buf, starts[1]!, ends[1]!) : null
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
