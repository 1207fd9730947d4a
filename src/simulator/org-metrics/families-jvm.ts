import { formatValue as f, grow } from './format.js'
import type { ClusterSnapshot, NodeSnapshot } from './snapshot.js'

import type { Rows } from './rows.js'

function id(c: ClusterSnapshot, n: NodeSnapshot): string {
  return `namespace="${c.namespace}",pod_name="${n.pod}"`
}

export function bufferPoolRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes) {
    const labels = id(c, n)
    out.push(
      `jvm_buffer_pool_used_bytes{${labels},pool="direct"} ${f(4939784 + n.ordinal * 10010224)} ${n.ts.jmx}`
    )
    out.push(
      `jvm_buffer_pool_used_bytes{${labels},pool="mapped"} ${f(Math.floor(n.storedBytes * 0.9))} ${n.ts.jmx}`
    )
    out.push(
      `jvm_buffer_pool_used_bytes{${labels},pool="mapped - 'non-volatile memory'"} ${f(0)} ${n.ts.jmx}`
    )
  }
}

const COLLECTORS: [string, number, number][] = [
  ['G1 Concurrent GC', 0.0002, 0.007],
  ['G1 Old Generation', 0, 0],
  ['G1 Young Generation', 0.01, 0.02]
]

export function gcCountRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes)
    COLLECTORS.forEach(([gc, rate], index) =>
      out.push(
        `jvm_gc_collection_seconds_count{gc="${gc}",${id(c, n)}} ${f(grow(n.ageS, n.weight, rate, index + 53) * (rate > 0 ? 1 : 0))} ${n.ts.jmx}`
      )
    )
}

export function gcSumRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes)
    COLLECTORS.forEach(([gc, rate, seconds], index) => {
      const count = grow(n.ageS, n.weight, rate, index + 53) * (rate > 0 ? 1 : 0)
      out.push(
        `jvm_gc_collection_seconds_sum{gc="${gc}",${id(c, n)}} ${f(Math.round(count * seconds * 1000) / 1000)} ${n.ts.jmx}`
      )
    })
}

export function memoryMaxRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes) {
    out.push(`jvm_memory_bytes_max{area="heap",${id(c, n)}} ${f(n.heap.max)} ${n.ts.jmx}`)
    out.push(`jvm_memory_bytes_max{area="nonheap",${id(c, n)}} ${f(-1)} ${n.ts.jmx}`)
  }
}

export function memoryPoolRows(c: ClusterSnapshot, out: Rows): void {
  for (const n of c.nodes) {
    const labels = id(c, n)
    const pools: [string, number][] = [
      ["CodeHeap 'non-nmethods'", 2640256 + n.ordinal * 30464],
      ["CodeHeap 'non-profiled nmethods'", 19965056 + n.ordinal * 5632000],
      ["CodeHeap 'profiled nmethods'", 37010176 + n.ordinal * 4000000],
      ['Compressed Class Space', 21854368 + n.ordinal * 500000],
      ['G1 Eden Space', n.heap.eden],
      ['G1 Old Gen', n.heap.old],
      ['G1 Survivor Space', n.heap.survivor],
      ['Metaspace', 112728688 + n.ordinal * 3300000]
    ]
    for (const [pool, value] of pools)
      out.push(`jvm_memory_pool_bytes_used{${labels},pool="${pool}"} ${f(value)} ${n.ts.jmx}`)
  }
}
