import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { createOrgMetricsReader } from '../../../../src/collectors/org-metrics/reader.js'

/**
 * A body with hundreds of thousands of distinct crate pods (a pod explosion, or a hostile API), made in
 * the test and streamed in 64 KiB chunks: the reader must keep only the nodes of clusters the inventory
 * lists, at most max_nodes_per_cluster of each and max_nodes in all, and count the rest.
 */
const PODS = 250_000
const KNOWN = '5e52d9b3-3b92-4568-a3a4-620ed9d1d445'
const TIMESTAMP = 1778668455079

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function uuidOf(n: number): string {
  const hex = n.toString(16).padStart(12, '0')
  return `00000000-0000-4000-8000-${hex}`
}

/** Lines for pod n: 600 pods of the known cluster first, then one unknown cluster per 3 pods. */
function line(n: number): string {
  const cluster = n < 600 ? KNOWN : uuidOf(Math.floor(n / 3))
  const pod = `crate-data-hot-${cluster}-${n < 600 ? n : n % 3}`
  return `container_memory_usage_bytes{container="crate",namespace="ns",pod="${pod}"} 1048576 ${TIMESTAMP}\n`
}

function retainedHeap(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

describe('org metrics reader limits', () => {
  it('keeps memory bounded under a pod explosion: unknown clusters dropped, nodes capped, all counted', () => {
    const before = retainedHeap()
    const reader = createOrgMetricsReader({
      knownClusters: (id) => id === KNOWN,
      maxNodes: 1000,
      maxNodesPerCluster: 100
    })
    let chunk = ''
    let bytes = 0
    for (let n = 0; n < PODS; n++) {
      chunk += line(n)
      if (chunk.length >= 65_536) {
        reader.write(Buffer.from(chunk))
        bytes += chunk.length
        chunk = ''
      }
    }
    reader.write(Buffer.from(chunk))
    bytes += chunk.length
    const during = retainedHeap()
    const reading = reader.end()
    const grownMiB = (during - before) / 1024 / 1024
    console.log(
      `${PODS} pods, ${(bytes / 1024 / 1024).toFixed(1)} MiB body: retained heap +${grownMiB.toFixed(1)} MiB`
    )

    expect(reading.nodes.size).toBe(100)
    expect([...reading.nodes.values()].every((node) => node.clusterId === KNOWN)).toBe(true)
    expect(reading.droppedNodes.overLimit).toBe(500)
    expect(reading.droppedNodes.unknownCluster).toBe(PODS - 600)
    // 250,000 pods kept as nodes take hundreds of MiB; the remembered pod names are capped at 3,000 here
    expect(grownMiB).toBeLessThan(16)
  })

  it('caps nodes per cluster by default (100), also without an inventory', () => {
    const reader = createOrgMetricsReader()
    for (let n = 0; n < 600; n++) reader.write(Buffer.from(line(n)))
    const reading = reader.end()
    expect(reading.nodes.size).toBe(100)
    expect(reading.droppedNodes).toEqual({ unknownCluster: 0, overLimit: 500 })
  })
})
