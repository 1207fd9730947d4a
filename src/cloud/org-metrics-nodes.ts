import type { NodeReading } from './org-metrics-types.js'
import { type CratePod, parseCratePod } from './org-metrics-pods.js'
import { copyRawLabelValue, rawLabelValueEquals } from './prom-text/label-lookup.js'
import { type LineScanner, labelValue } from './prom-text/line-scanner.js'

export interface NodeDirectory {
  /** The node of the pod named by label `index` of the line last scanned, or null when it is no crate pod. */
  nodeAt(buf: Buffer, index: number): NodeReading | null
}

/**
 * Pod name -> NodeReading, created on first use. Rows of one pod come in runs, so the last pod's raw
 * bytes are remembered and compared first: most rows then cost neither a string nor a map lookup.
 */
export function createNodeDirectory(scanner: LineScanner, nodes: Map<string, NodeReading>): NodeDirectory {
  const pods = new Map<string, CratePod | null>()
  let lastRaw: Buffer | null = null
  let lastNode: NodeReading | null = null

  const nodeOfPod = (pod: string): NodeReading | null => {
    let parsed = pods.get(pod)
    if (parsed === undefined) {
      parsed = parseCratePod(pod)
      pods.set(pod, parsed)
    }
    if (parsed === null) return null
    const key = `${parsed.clusterId}/${parsed.node}`
    let node = nodes.get(key)
    if (node === undefined) {
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

  return {
    nodeAt(buf, index) {
      if (scanner.escaped[index] === 1) return nodeOfPod(labelValue(scanner, buf, index))
      if (lastRaw !== null && rawLabelValueEquals(scanner, buf, index, lastRaw)) return lastNode
      lastNode = nodeOfPod(labelValue(scanner, buf, index))
      lastRaw = copyRawLabelValue(scanner, buf, index)
      return lastNode
    }
  }
}
