import { createTables, placeShards } from './layout.js'
import type { Plan } from './plans.js'
import type { Random } from './random.js'
import type { SimCluster, SimHealth, SimNode } from './types.js'

export interface ClusterSpec {
  readonly organizationId: string
  readonly projectId: string
  readonly name: string
  readonly plan: Plan
  readonly numNodes: number
  readonly health?: SimHealth
  readonly suspended?: boolean
  /** Fill ratio of the fullest node now (0..1). */
  readonly storageRatio?: number
  /** Hours until the fullest node would be full at the current growth; Infinity for no growth. */
  readonly fullInHours?: number
  readonly diskSizePerNodeBytes?: number
  readonly loadFactor?: number
  readonly qps?: number
  readonly crateVersion?: string
  readonly shardsPerNode?: number
  readonly createdMs: number
  readonly nowMs: number
  /** Global CPU load (fraction of the node's CPUs) at creation. */
  readonly cpuLoad: number
}

export const CRATE_VERSIONS = ['5.8.5', '5.9.3', '5.9.4', '5.10.1', '5.10.2']

export function buildCluster(random: Random, spec: ClusterSpec): SimCluster {
  const id = random.uuid()
  const diskSizePerNodeBytes = spec.diskSizePerNodeBytes ?? spec.plan.defaultDiskBytes
  const tables = createTables(random, spec.numNodes, spec.shardsPerNode ?? random.int(20, 120))
  const cluster: SimCluster = {
    id,
    name: spec.name,
    projectId: spec.projectId,
    organizationId: spec.organizationId,
    namespace: random.uuid(),
    plan: spec.plan,
    productUnit: spec.plan.dedicated ? spec.numNodes - 1 : 0,
    crateVersion: spec.crateVersion ?? random.pick(CRATE_VERSIONS),
    channel: 'stable',
    subscriptionId: random.uuid(),
    createdMs: spec.createdMs,
    modifiedMs: spec.createdMs,
    suspended: spec.suspended ?? false,
    deletionProtected: false,
    baseHealth: spec.health ?? 'GREEN',
    lastSeenMs: spec.health === 'UNREACHABLE' ? spec.nowMs - random.int(6, 40) * 60_000 : null,
    diskSizePerNodeBytes,
    storageUsedAtT0: 0,
    storageT0Ms: spec.nowMs,
    storageGrowthBytesPerSecond: 0,
    loadFactor: spec.loadFactor ?? 0.5 + random.next(),
    qps: spec.qps ?? Math.round(Math.exp(random.next() * 6)),
    nodes: [],
    tables,
    operations: [],
    operatorPod: `crate-operator-5949b7b57-${random.hex(5)}`,
    sidecars: {
      backupPod: `backup-metrics-${id}-5754b85f8${random.hex(3)}`,
      grandCentralPod: `grand-central-${id}-6c64cd45${random.hex(4)}`,
      ids: Array.from({ length: 6 }, () => random.hex(64))
    }
  }
  layoutNodes(random, cluster, spec.numNodes, spec.nowMs, spec.cpuLoad)
  const fullest = Math.max(...cluster.nodes.map((node) => node.storageShare))
  const ratio = spec.storageRatio ?? 0.1 + random.next() * 0.6
  const capacity = diskSizePerNodeBytes / fullest
  cluster.storageUsedAtT0 = ratio * capacity
  const fullIn = spec.fullInHours ?? 24 * (60 + random.next() * 600)
  cluster.storageGrowthBytesPerSecond = Number.isFinite(fullIn)
    ? ((1 - ratio) * capacity) / (fullIn * 3600)
    : 0
  return cluster
}

function createNode(
  random: Random,
  cluster: SimCluster,
  ordinal: number,
  nowMs: number,
  cpuLoad: number
): SimNode {
  return {
    ordinal,
    key: `${cluster.id}-${ordinal}`,
    weight: 0.7 + random.next() * 0.3,
    phase: random.next(),
    lags: {
      cadvisor: random.int(4000, 14000),
      pod: random.int(2000, 18000),
      jmx: random.int(1000, 8000),
      sql: random.int(1000, 12000)
    },
    containerIds: {
      crate: random.hex(64),
      sql: random.hex(64),
      pause: random.hex(64),
      podLevel: random.hex(64)
    },
    shards: [],
    storageShare: 0,
    cpuBase: 100 + random.next() * 5000,
    cpuSegmentStartS: (nowMs - cluster.createdMs) / 1000,
    cpuSegmentLoad: cpuLoad * cluster.loadFactor
  }
}

/** Sets the node count (keeping existing nodes and their counters) and spreads the shards over them. */
export function layoutNodes(
  random: Random,
  cluster: SimCluster,
  numNodes: number,
  nowMs: number,
  cpuLoad: number
): void {
  const nodes = cluster.nodes.slice(0, numNodes)
  for (let ordinal = nodes.length; ordinal < numNodes; ordinal++)
    nodes.push(createNode(random, cluster, ordinal, nowMs, cpuLoad))
  const placement = placeShards(cluster.tables, numNodes)
  nodes.forEach((node, index) => {
    node.shards = placement[index]?.shards ?? []
    node.storageShare = placement[index]?.share ?? 0
  })
  cluster.nodes = nodes
}
