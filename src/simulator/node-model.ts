import type { QueryType, SimCluster, SimNode } from './types.js'

/**
 * What a node reports at a given time, as pure functions of the time and the node's constants, so that a
 * sample can be computed at its own (slightly older) timestamp and counters never go down.
 */

const CPU_AMPLITUDE = 0.25
const QUERY_AMPLITUDE = 0.4

/** Share of all queries and mean duration (ms) per query type. */
export const QUERY_MIX: Readonly<Record<QueryType, { share: number; meanMs: number; rowsPerQuery: number }>> =
  {
    Copy: { share: 0.0005, meanMs: 4000, rowsPerQuery: 5000 },
    DDL: { share: 0.002, meanMs: 40, rowsPerQuery: 1 },
    Delete: { share: 0.005, meanMs: 25, rowsPerQuery: 3 },
    Insert: { share: 0.12, meanMs: 11, rowsPerQuery: 20 },
    Management: { share: 0.01, meanMs: 1, rowsPerQuery: 0 },
    Select: { share: 0.8, meanMs: 17, rowsPerQuery: 4 },
    Undefined: { share: 0, meanMs: 0, rowsPerQuery: 0 },
    Update: { share: 0.0625, meanMs: 10, rowsPerQuery: 1 }
  }

function periodS(node: SimNode, base: number): number {
  return base + node.phase * base
}

function seconds(cluster: SimCluster, tMs: number): number {
  return (tMs - cluster.createdMs) / 1000
}

/** ∫ (1 + a·sin(ωs + φ)) ds, the shape behind every rate. */
function shapeIntegral(s: number, amplitude: number, period: number, phase: number): number {
  const omega = (2 * Math.PI) / period
  return s - (amplitude / omega) * Math.cos(omega * s + phase * 2 * Math.PI)
}

export function cpuCoresAt(cluster: SimCluster, node: SimNode, tMs: number): number {
  const s = seconds(cluster, tMs)
  const period = periodS(node, 900)
  const omega = (2 * Math.PI) / period
  return (
    cluster.plan.cpusPerNode *
    node.cpuSegmentLoad *
    node.weight *
    (1 + CPU_AMPLITUDE * Math.sin(omega * s + node.phase * 2 * Math.PI))
  )
}

export function cpuSecondsAt(cluster: SimCluster, node: SimNode, tMs: number): number {
  const period = periodS(node, 900)
  const scale = cluster.plan.cpusPerNode * node.cpuSegmentLoad * node.weight
  const now = shapeIntegral(seconds(cluster, tMs), CPU_AMPLITUDE, period, node.phase)
  const start = shapeIntegral(node.cpuSegmentStartS, CPU_AMPLITUDE, period, node.phase)
  return node.cpuBase + scale * (now - start)
}

/** Starts a new CPU load segment at the node's own sample time, keeping the counter continuous. */
export function rebaseCpu(cluster: SimCluster, node: SimNode, atMs: number, load: number): void {
  const tMs = atMs - node.lags.cadvisor
  node.cpuBase = Math.max(node.cpuBase, cpuSecondsAt(cluster, node, tMs))
  node.cpuSegmentStartS = seconds(cluster, tMs)
  node.cpuSegmentLoad = load
}

/** Queries executed by the node since it started (all types). */
export function queriesAt(cluster: SimCluster, node: SimNode, tMs: number): number {
  const s = Math.max(0, seconds(cluster, tMs))
  return (
    cluster.qps * node.weight * shapeIntegral(s, QUERY_AMPLITUDE, periodS(node, 3600), node.phase) +
    1000 * node.weight
  )
}

export function queriesPerSecondAt(cluster: SimCluster, node: SimNode, tMs: number): number {
  const omega = (2 * Math.PI) / periodS(node, 3600)
  return (
    cluster.qps *
    node.weight *
    (1 + QUERY_AMPLITUDE * Math.sin(omega * seconds(cluster, tMs) + node.phase * 2 * Math.PI))
  )
}

export function memoryBytesAt(cluster: SimCluster, node: SimNode, tMs: number): number {
  const wave = Math.sin((2 * Math.PI * seconds(cluster, tMs)) / periodS(node, 1200))
  const ratio = 0.3 + 0.05 * node.weight + 0.04 * wave
  return Math.round((cluster.plan.memoryPerNodeBytes * ratio) / 4096) * 4096
}

/** G1 pools: eden fills up and is collected (a saw-tooth), old gen drifts, survivor stays small. */
export function heapPoolsAt(
  cluster: SimCluster,
  node: SimNode,
  tMs: number
): { eden: number; old: number; survivor: number; max: number } {
  const max = cluster.plan.heapSizeBytes
  const s = seconds(cluster, tMs)
  const saw = (s / periodS(node, 120)) % 1
  const drift = Math.sin((2 * Math.PI * s) / periodS(node, 5400))
  const align = (bytes: number): number => Math.round(bytes / 8) * 8
  return {
    eden: align(max * (0.05 + 0.4 * saw)),
    old: align(max * (0.12 + 0.04 * drift)),
    survivor: align(max * 0.015),
    max
  }
}

/** Bytes held by the whole cluster (before the per-node cap). */
export function clusterStoredBytesAt(cluster: SimCluster, tMs: number): number {
  const grown =
    cluster.storageUsedAtT0 + (cluster.storageGrowthBytesPerSecond * (tMs - cluster.storageT0Ms)) / 1000
  return Math.max(0, grown)
}

/** Bytes held by the node; a disk cannot hold more than it has, so growth stops just short of full. */
export function nodeStoredBytesAt(cluster: SimCluster, node: SimNode, tMs: number): number {
  const wanted = clusterStoredBytesAt(cluster, tMs) * node.storageShare
  return Math.min(wanted, cluster.diskSizePerNodeBytes * 0.995)
}

/** A counter that grows at `perSecond` (times the node's weight) from a node-specific start. */
export function steadyCounter(
  cluster: SimCluster,
  node: SimNode,
  tMs: number,
  perSecond: number,
  salt: number
): number {
  const s = Math.max(0, seconds(cluster, tMs))
  return Math.floor(perSecond * node.weight * s + ((salt * 7919 * (node.phase + 0.1)) % 100000))
}
