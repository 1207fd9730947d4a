import { ExpositionBody } from './body.js'
import { openMetricsHeader, sampleBlock, textHeader } from './render-blocks.js'
import { OPENMETRICS_EOF } from './render-openmetrics.js'
import type { ClusterFamilySlice, ClusterIndex, FamilySnapshot, FamilySpec } from './types.js'

/**
 * Per-cluster views of the rendered sample blocks, for /probe. A family whose first label is
 * cluster_id is a cluster family (cluster and node series); its block is cut into the byte ranges of
 * each cluster's lines. The ranges are subarray views of the block's Buffers, not copies: the lines are
 * rendered once and served by both /metrics and /probe.
 */
export function isClusterFamily(spec: FamilySpec): boolean {
  return spec.labelNames[0] === 'cluster_id'
}

/** The views of one family's block, by cluster id, in the block's order. */
const slices = new WeakMap<FamilySnapshot, ReadonlyMap<string, readonly Buffer[]>>()

/**
 * The lines of the block are the samples in order, one line each, so line i starts where the lines
 * before it end; a line never spans two Buffers (BlockWriter flushes before a line that does not fit).
 */
export function clusterSlices(family: FamilySnapshot): ReadonlyMap<string, readonly Buffer[]> {
  const cached = slices.get(family)
  if (cached !== undefined) return cached
  const out = new Map<string, Buffer[]>()
  const block = sampleBlock(family)
  let part = 0
  let offset = 0
  let runId: string | undefined
  let runPart = 0
  let runStart = 0
  const closeRun = (): void => {
    if (runId === undefined) return
    let list = out.get(runId)
    // A run that reached the end of a Buffer continues in the next ones.
    for (let p = runPart; p <= part && p < block.length; p++) {
      const buffer = block[p] as Buffer
      const start = p === runPart ? runStart : 0
      const end = p === part ? offset : buffer.length
      if (end <= start) continue
      // Most lists hold one view: a literal is sized for it, an empty array grown by push for 17.
      if (list === undefined) out.set(runId, (list = [buffer.subarray(start, end)]))
      else list.push(buffer.subarray(start, end))
    }
  }
  for (const sample of family.samples) {
    let buffer = block[part]
    if (buffer !== undefined && offset >= buffer.length) {
      part += 1
      offset = 0
      buffer = block[part]
    }
    if (buffer === undefined) break
    const id = sample.labels[0] ?? ''
    if (id !== runId) {
      closeRun()
      runId = id
      runPart = part
      runStart = offset
    }
    const newline = buffer.indexOf(10, offset)
    offset = newline < 0 ? buffer.length : newline + 1
  }
  closeRun()
  slices.set(family, out)
  return out
}

export function buildClusterIndex(families: readonly FamilySnapshot[]): ClusterIndex {
  const byCluster = new Map<string, Map<string, { spec: FamilySpec; parts: readonly Buffer[] }>>()
  for (const family of families) {
    if (family.samples.length === 0 || !isClusterFamily(family.spec)) continue
    for (const [clusterId, views] of clusterSlices(family)) {
      let names = byCluster.get(clusterId)
      if (names === undefined) {
        names = new Map()
        byCluster.set(clusterId, names)
      }
      // The family's own list of views is shared, not copied: the index lives as long as the rendering.
      const entry = names.get(family.spec.name)
      if (entry === undefined) names.set(family.spec.name, { spec: family.spec, parts: views })
      else entry.parts = entry.parts.concat(views)
    }
  }
  const index = new Map<string, ClusterFamilySlice[]>()
  for (const [clusterId, names] of byCluster) {
    index.set(
      clusterId,
      [...names.keys()].sort().map((name) => names.get(name) as ClusterFamilySlice)
    )
  }
  return index
}

/**
 * One cluster's series in both formats, followed by `extra` (already rendered lines of both formats,
 * e.g. the probe's own gauges). OpenMetrics ends in # EOF.
 */
export function clusterBodies(
  slices: readonly ClusterFamilySlice[],
  extra: { readonly text: string; readonly openMetrics: string }
): { text: ExpositionBody; openMetrics: ExpositionBody } {
  const text: Buffer[] = []
  const openMetrics: Buffer[] = []
  for (const slice of slices) {
    text.push(textHeader(slice.spec), ...slice.parts)
    openMetrics.push(openMetricsHeader(slice.spec), ...slice.parts)
  }
  text.push(Buffer.from(extra.text))
  openMetrics.push(Buffer.from(extra.openMetrics + OPENMETRICS_EOF))
  return { text: new ExpositionBody(text), openMetrics: new ExpositionBody(openMetrics) }
}
