import type { NodeReading, OrgMetricsReading } from './types.js'
import { parseCratePod } from './pods.js'
import { LABEL_SLOTS, type LineScanner, labelValue } from '../../prom-text/line-scanner.js'

export interface NodeDirectory {
  /** The node of the pod named by label `index` of the line last scanned, or null when it is no crate pod. */
  nodeAt(buf: Buffer, index: number): NodeReading | null
  /** The node of the pod whose name is buf[start, end), holding no escape sequence; null for other pods. */
  nodeOfRaw(buf: Buffer, start: number, end: number): NodeReading | null
}

interface KnownPod {
  readonly raw: DataView<ArrayBufferLike>
  readonly node: NodeReading | null
}

/**
 * Pod name -> NodeReading, created on first use. Pods are recognised by their raw bytes (a hash, then a
 * comparison), so a row costs neither a string nor a string-keyed lookup; the last pod is compared
 * first, since rows of one pod come in runs.
 */
export interface NodeLimits {
  /** Clusters whose nodes are kept; all when absent. */
  readonly knownClusters?: (clusterId: string) => boolean
  readonly maxNodes: number
  readonly maxNodesPerCluster: number
}

export function createNodeDirectory(
  scanner: LineScanner,
  reading: OrgMetricsReading,
  limits: NodeLimits
): NodeDirectory {
  const nodes = reading.nodes
  const byHash = new Map<number, KnownPod[]>()
  // Pod names remembered (crate or not); past this, a new name is parsed on each row and not kept, so a
  // body with millions of distinct pods costs time, not memory.
  const maxRemembered = 2 * limits.maxNodes + 1000
  let remembered = 0
  const perCluster = new Map<string, number>()
  let last: KnownPod | null = null
  // Pod names are compared four bytes at a time: a row's pod is compared at least once.
  let viewed: Buffer | null = null
  let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0))
  const sameBytes = (buf: Buffer, start: number, end: number, raw: DataView<ArrayBufferLike>): boolean => {
    const length = raw.byteLength
    if (end - start !== length) return false
    if (buf !== viewed) {
      viewed = buf
      view = new DataView(buf.buffer, buf.byteOffset, buf.length)
    }
    let k = 0
    for (; k + 4 <= length; k += 4) if (view.getUint32(start + k) !== raw.getUint32(k)) return false
    for (; k < length; k++) if (view.getUint8(start + k) !== raw.getUint8(k)) return false
    return true
  }

  const nodeOfPod = (pod: string): NodeReading | null => {
    const parsed = parseCratePod(pod)
    if (parsed === null) return null
    const key = `${parsed.clusterId}/${parsed.node}`
    let node = nodes.get(key)
    if (node === undefined) {
      if (limits.knownClusters !== undefined && !limits.knownClusters(parsed.clusterId)) {
        reading.droppedNodes.unknownCluster++
        return null
      }
      const count = perCluster.get(parsed.clusterId) ?? 0
      if (nodes.size >= limits.maxNodes || count >= limits.maxNodesPerCluster) {
        reading.droppedNodes.overLimit++
        return null
      }
      perCluster.set(parsed.clusterId, count + 1)
      node = {
        clusterId: parsed.clusterId,
        node: parsed.node,
        storageUsedBytes: 0,
        shards: 0,
        queries: new Map()
      }
      nodes.set(key, node)
    }
    return node
  }

  const nodeOfRaw = (buf: Buffer, start: number, end: number): NodeReading | null => {
    if (last !== null && sameBytes(buf, start, end, last.raw)) return last.node
    let hash = end - start
    for (let k = start; k < end; k++) hash = (Math.imul(hash, 31) + buf[k]!) | 0
    let bucket = byHash.get(hash)
    if (bucket !== undefined) {
      for (const known of bucket) {
        if (sameBytes(buf, start, end, known.raw)) {
          last = known
          return known.node
        }
      }
    }
    if (remembered >= maxRemembered) return nodeOfPod(buf.toString('utf8', start, end))
    if (bucket === undefined) byHash.set(hash, (bucket = []))
    remembered++
    const raw = Buffer.from(buf.subarray(start, end))
    last = {
      raw: new DataView(raw.buffer, raw.byteOffset, raw.length),
      node: nodeOfPod(buf.toString('utf8', start, end))
    }
    bucket.push(last)
    return last.node
  }

  return {
    nodeAt(buf, index) {
      if (scanner.escaped[index] === 1) return nodeOfPod(labelValue(scanner, buf, index))
      const slot = index * LABEL_SLOTS
      return nodeOfRaw(buf, scanner.labels[slot + 2]!, scanner.labels[slot + 3]!)
    },
    nodeOfRaw
  }
}
