/**
 * Turns what the exporter holds (the directory, the families of the last polls, the collectors'
 * status) into the autopilot's per-cluster signals, keeping a bounded history of each node's storage.
 */
import type { DirectoryCluster, Directory } from '../collectors/directory.js'
import { families as f } from '../metrics/catalogue.js'
import type { FamilySnapshot } from '../metrics/types.js'
import { createSeriesHistory, secondsUntil } from './forecast.js'
import { FLOOD_STAGE_RATIO, humanDuration, type StorageSignals } from './policy.js'

/** What the autopilot reads of a collector's state (the engine's SourceCollectorStatus has it). */
export interface SourceCollectorStatus {
  readonly collector: string
  readonly organizationId: string
  /** Whether its data has been withdrawn for being older than the staleness limit. */
  readonly stale: boolean
}

export interface AutopilotSource {
  directory(): Directory
  families(): readonly FamilySnapshot[]
  collectors(): readonly SourceCollectorStatus[]
}

export interface ObservedCluster {
  readonly entry: DirectoryCluster
  readonly signals: StorageSignals
  readonly fullestNode: string | null
}

interface NodeSample {
  readonly node: string
  readonly used: number
  readonly capacity: number | null
}

interface ClusterMemory {
  lastSampleMs: number
  aboveSinceMs: number | null
  fullest: { node: string; utilization: number } | null
}

export interface ObserverOptions {
  readonly forecastWindowSeconds: number
  readonly staleAfterSeconds: number
  /** null: the utilization trigger is off, and no clock is kept. */
  readonly fullestNodeAbove: number | null
}

/** A minute's poll over the default 6 h window is 360 points; this bounds a node at 1,000. */
const MAX_POINTS = 1000

export function createObserver(options: ObserverOptions) {
  const history = createSeriesHistory({
    windowMs: options.forecastWindowSeconds * 1000,
    maxPoints: MAX_POINTS
  })
  const clusters = new Map<string, ClusterMemory>()

  /** Reads the latest data; `wanted` says which clusters are in the policy's scope. */
  function observe(
    source: AutopilotSource,
    wanted: (entry: DirectoryCluster) => boolean,
    nowMs: number
  ): ObservedCluster[] {
    const directory = source.directory()
    const nodes = nodeSamples(source.families())
    const newest = newestSamples(source.families())
    const orgCollectors = new Map(
      source
        .collectors()
        .filter((status) => status.collector === 'org_metrics')
        .map((status) => [status.organizationId, status])
    )
    const out: ObservedCluster[] = []
    const keep = new Set<string>()
    for (const entry of directory.clusters.values()) {
      if (!wanted(entry)) continue
      const id = entry.cluster.id
      keep.add(id)
      const samples = nodes.get(id) ?? []
      const sampleMs = newest.get(entry.organization.id) ?? null
      let memory = clusters.get(id)
      if (memory === undefined) {
        memory = { lastSampleMs: 0, aboveSinceMs: null, fullest: null }
        clusters.set(id, memory)
      }
      const disk = entry.cluster.hardware_specs?.disk_size_per_node_bytes ?? null
      if (samples.length > 0 && sampleMs !== null && sampleMs > memory.lastSampleMs) {
        memory.lastSampleMs = sampleMs
        memory.fullest = null
        for (const sample of samples) {
          history.add(`${id}/${sample.node}`, { t: sampleMs, v: sample.used })
          const capacity = sample.capacity ?? disk
          if (capacity === null || capacity <= 0) continue
          const utilization = sample.used / capacity
          if (memory.fullest === null || utilization > memory.fullest.utilization)
            memory.fullest = { node: sample.node, utilization }
        }
        const above =
          options.fullestNodeAbove !== null &&
          memory.fullest !== null &&
          memory.fullest.utilization > options.fullestNodeAbove
        memory.aboveSinceMs = above ? (memory.aboveSinceMs ?? sampleMs) : null
      }
      for (const sample of samples) keep.add(`${id}/${sample.node}`)
      let flood: number | null = null
      for (const sample of samples) {
        const capacity = sample.capacity ?? disk
        if (capacity === null || capacity <= 0) continue
        const seconds = secondsUntil(
          history.points(`${id}/${sample.node}`),
          FLOOD_STAGE_RATIO * capacity,
          nowMs
        )
        if (seconds !== null && (flood === null || seconds < flood)) flood = seconds
      }
      out.push({
        entry,
        fullestNode: memory.fullest?.node ?? null,
        signals: {
          fullestUtilization: memory.fullest?.utilization ?? null,
          aboveSinceMs: memory.aboveSinceMs,
          sampleMs: memory.lastSampleMs === 0 ? null : memory.lastSampleMs,
          floodStageInSeconds: flood,
          stale: staleness(
            options,
            directory,
            samples.length,
            sampleMs,
            orgCollectors.get(entry.organization.id),
            nowMs
          )
        }
      })
    }
    history.retain(keep)
    for (const id of clusters.keys()) if (!keep.has(id)) clusters.delete(id)
    return out
  }

  /** After an expansion the old trend says nothing about the new disk: start the history again. */
  function forget(clusterId: string): void {
    const memory = clusters.get(clusterId)
    if (memory !== undefined) {
      memory.aboveSinceMs = null
      memory.fullest = null
    }
    for (const key of history.keys()) if (key.startsWith(`${clusterId}/`)) history.forget(key)
  }

  return {
    observe,
    forget,
    /** Series held, for the test of the memory bound. */
    size: () => history.size()
  }
}

function staleness(
  options: ObserverOptions,
  directory: Directory,
  nodeCount: number,
  sampleMs: number | null,
  collector: SourceCollectorStatus | undefined,
  nowMs: number
): string | null {
  const limit = options.staleAfterSeconds * 1000
  if (nowMs - directory.updatedAt > limit)
    return `the cluster list is ${humanDuration((nowMs - directory.updatedAt) / 1000)} old`
  if (nodeCount === 0 || sampleMs === null) return 'no storage data for the cluster'
  if (collector?.stale === true) return 'the organization metrics are stale'
  if (nowMs - sampleMs > limit)
    return `the newest storage sample is ${humanDuration((nowMs - sampleMs) / 1000)} old`
  return null
}

function nodeSamples(families: readonly FamilySnapshot[]): Map<string, NodeSample[]> {
  const used = samplesOf(families, f.nodeStorageUsed.name)
  const capacity = new Map<string, number>()
  for (const [labels, value] of samplesOf(families, f.nodeStorageCapacity.name))
    capacity.set(`${labels[0]}/${labels[2]}`, value)
  const out = new Map<string, NodeSample[]>()
  for (const [labels, value] of used) {
    const [clusterId, , node] = labels
    if (clusterId === undefined || node === undefined) continue
    let list = out.get(clusterId)
    if (list === undefined) {
      list = []
      out.set(clusterId, list)
    }
    list.push({ node, used: value, capacity: capacity.get(`${clusterId}/${node}`) ?? null })
  }
  return out
}

function newestSamples(families: readonly FamilySnapshot[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const [labels, value] of samplesOf(families, f.orgMetricsNewestSample.name))
    if (labels[0] !== undefined) out.set(labels[0], value * 1000)
  return out
}

function samplesOf(families: readonly FamilySnapshot[], name: string): [readonly string[], number][] {
  const out: [readonly string[], number][] = []
  for (const family of families)
    if (family.spec.name === name)
      for (const sample of family.samples) out.push([sample.labels, sample.value])
  return out
}
