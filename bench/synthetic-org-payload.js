// SYNTHETIC organization metrics bodies for benchmarks, made from the real capture: every row of its one
// cluster is repeated for N clusters with fresh (deterministic) cluster and namespace UUIDs, keeping the
// real body's order (families sorted by name, each family listing all clusters). Not real data.

import { Buffer } from 'node:buffer'

const CLUSTER_ID = /cluster_id="([0-9a-f-]{36})"/
const NAMESPACE = /exported_namespace="([0-9a-f-]{36})"/

/** A small deterministic PRNG (mulberry32), so that every run benchmarks the same bytes. */
function random(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function uuid(next) {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Consecutive lines of one metric family, with the capture's ids as split points. */
function familyBlocks(text, clusterId, namespace) {
  const blocks = []
  let current = null
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    const family = line.slice(0, line.search(/[{ ]/))
    if (current === null || current.family !== family) {
      current = { family, lines: [] }
      blocks.push(current)
    }
    current.lines.push(line)
  }
  return blocks.map((block) => ({
    parts: `${block.lines.join('\n')}\n`.split(clusterId).map((part) => part.split(namespace))
  }))
}

/**
 * A synthetic body of `clusters` clusters built from the capture `capture` (a Buffer). Cluster k is named
 * "devbrain-k"; its ids come from `seed`.
 */
export function syntheticOrgPayload(capture, clusters, seed = 1) {
  const text = capture.toString('utf8')
  const clusterId = CLUSTER_ID.exec(text)?.[1]
  const namespace = NAMESPACE.exec(text)?.[1]
  if (clusterId === undefined || namespace === undefined)
    throw new Error('capture has no cloud_clusters_health row')
  const next = random(seed)
  const ids = Array.from({ length: clusters }, () => ({ cluster: uuid(next), namespace: uuid(next) }))
  const blocks = familyBlocks(
    text.replaceAll('cluster_name="devbrain"', 'cluster_name="devbrain-#"'),
    clusterId,
    namespace
  )
  const out = []
  for (const block of blocks) {
    ids.forEach((id, k) => {
      const body = block.parts.map((part) => part.join(id.namespace)).join(id.cluster)
      out.push(Buffer.from(body.replaceAll('devbrain-#', `devbrain-${k}`), 'utf8'))
    })
  }
  return Buffer.concat(out)
}
