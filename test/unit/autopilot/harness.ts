import { pino } from 'pino'
import { Registry } from 'prom-client'
import { createStorageAutopilot, type StorageAutopilot } from '../../../src/autopilot/autopilot.js'
import type { AutopilotSource } from '../../../src/autopilot/observe.js'
import { systemClock } from '../../../src/clock.js'
import { createCloudClient } from '../../../src/cloud/client.js'
import { SILENT_OBSERVER } from '../../../src/cloud/observer.js'
import type { Directory } from '../../../src/collectors/directory.js'
import { MATCH_ALL } from '../../../src/collectors/inventory/filters.js'
import { buildDirectory } from '../../../src/collectors/inventory/collector.js'
import type { StorageAutopilotConfig } from '../../../src/config/autopilot.js'
import { families as f } from '../../../src/metrics/catalogue.js'
import type { FamilySnapshot } from '../../../src/metrics/types.js'
import { createSimulatorClock, type SimCluster } from '../../../src/simulator/index.js'
import { startTestSimulator, type RunningSimulator } from '../../helpers/simulator.js'

export const GIB = 1024 ** 3
export const MINUTE = 60_000
export const HOUR = 3_600_000
export const START_MS = Date.UTC(2026, 4, 13, 10, 0, 0)

export function policy(overrides: Partial<StorageAutopilotConfig> = {}): StorageAutopilotConfig {
  return {
    mode: 'apply',
    intervalSeconds: 60,
    organizations: { include: [], exclude: [] },
    projects: { include: [], exclude: [] },
    clusters: { include: [], exclude: [] },
    trigger: { fullestNodeAbove: 0.85, forSeconds: 300, floodStageWithinSeconds: null },
    step: { kind: 'percent', value: 25 },
    roundToBytes: GIB,
    limits: {
      maxDiskSizePerNodeBytes: 16 * 1024 * GIB,
      cooldownSeconds: 6 * 3600,
      maxPerClusterPerDay: 2,
      maxPerOrganizationPerDay: 5
    },
    maintenanceWindow: null,
    staleAfterSeconds: 300,
    forecastWindowSeconds: 6 * 3600,
    operationTimeoutSeconds: 1800,
    operationPollSeconds: 15,
    ...overrides
  }
}

/**
 * The simulator (demo scenario, manual clock) on loopback, a real API client against it, and the
 * exporter's view of it made by hand: the directory read through the API, node storage families set by
 * the test, so that a test says exactly how full each node is and when.
 */
export async function startWorld(options: { operationMs?: number } = {}) {
  const clock = createSimulatorClock({ manual: true, startMs: START_MS })
  const simulator: RunningSimulator = await startTestSimulator({
    clock,
    settings: { operationMs: options.operationMs ?? 4 * MINUTE }
  })
  const credential = simulator.state.credentials()[0]!
  const api = createCloudClient({
    baseUrl: simulator.url,
    credentials: [{ name: 'main', key: { value: credential.key }, secret: { value: credential.secret } }],
    requestTimeoutMs: 5000,
    maxResponseBytes: 8 * 1024 * 1024,
    maxConcurrency: 2,
    logger: pino({ level: 'silent' }),
    observer: SILENT_OBSERVER,
    clock
  })
  const puts: string[] = []
  const managed = {
    cluster: (id: string, signal: AbortSignal) => api.cluster(id, signal),
    clusterOperations: (id: string, signal: AbortSignal) => api.clusterOperations(id, signal),
    expandStorage: (id: string, bytes: number, signal: AbortSignal) => {
      puts.push(id)
      return api.expandStorage(id, bytes, signal)
    }
  }
  /** Utilization per node ordinal, by cluster id; the newest sample is "now" unless frozen. */
  const usage = new Map<string, number[]>()
  let sampleMs: number | null = null
  let lagMs = 0
  let directory: Directory = { organizations: [], projects: new Map(), clusters: new Map(), updatedAt: 0 }

  async function readInventory(): Promise<Directory> {
    const signal = AbortSignal.timeout(5000)
    const organizations = await api.organizations(signal)
    const listings = []
    for (const organization of organizations)
      listings.push({
        organization,
        projects: await api.organizationProjects(organization.id, signal),
        clusters: await api.organizationClusters(organization.id, signal)
      })
    return buildDirectory(
      listings,
      { organizations: MATCH_ALL, projects: MATCH_ALL, clusters: MATCH_ALL },
      clock.now()
    )
  }

  function families(): FamilySnapshot[] {
    const used: { labels: string[]; value: number }[] = []
    const capacity: { labels: string[]; value: number }[] = []
    for (const [id, ratios] of usage) {
      const entry = directory.clusters.get(id)
      if (entry === undefined || entry.cluster.suspended) continue
      const disk = entry.cluster.hardware_specs?.disk_size_per_node_bytes ?? 0
      ratios.forEach((ratio, ordinal) => {
        const labels = [id, entry.cluster.name, `data-hot-${ordinal}`]
        used.push({ labels, value: Math.round(ratio * disk) })
        capacity.push({ labels, value: disk })
      })
    }
    const newest = sampleMs ?? clock.now() - lagMs
    return [
      { spec: f.nodeStorageUsed, samples: used },
      { spec: f.nodeStorageCapacity, samples: capacity },
      {
        spec: f.orgMetricsNewestSample,
        samples: directory.organizations.map((organization) => ({
          labels: [organization.id],
          value: newest / 1000
        }))
      }
    ]
  }

  const source: AutopilotSource = {
    directory: () => directory,
    families,
    collectors: () => []
  }

  const logs: Record<string, unknown>[] = []
  const autopilots: StorageAutopilot[] = []
  function autopilot(config: StorageAutopilotConfig, own: Partial<AutopilotSource> = {}) {
    const registry = new Registry()
    const logger = pino(
      { level: 'info', base: null },
      { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) }
    )
    const instance = createStorageAutopilot({
      config,
      api: managed,
      source: { ...source, ...own },
      logger,
      // The tests call evaluate() themselves; the evaluation timer of start() is never set here.
      clock: {
        now: () => clock.now(),
        setTimeout: (callback, ms) => systemClock.setTimeout(callback, ms),
        clearTimeout: (handle) => systemClock.clearTimeout(handle)
      },
      registry,
      // Yields once, so that a test's own steps interleave with the follow, then moves time on.
      sleep: async (ms, signal) => {
        await Promise.resolve()
        if (signal.aborted) throw new Error('stopped')
        clock.advance(ms)
      }
    })
    autopilots.push(instance)
    const count = async (clusterId: string, outcome: string): Promise<number> => {
      const metric = await registry.getSingleMetric('cratedb_cloud_autopilot_storage_actions_total')?.get()
      return (
        metric?.values.find((v) => v.labels['cluster_id'] === clusterId && v.labels['outcome'] === outcome)
          ?.value ?? 0
      )
    }
    return { instance, registry, count }
  }

  const cluster = (name: string): SimCluster => {
    const found = simulator.state.clusters().find((c) => c.name === name)
    if (found === undefined) throw new Error(`no cluster ${name}`)
    return found
  }

  return {
    clock,
    simulator,
    api,
    puts,
    logs,
    cluster,
    usage,
    autopilot,
    /** Re-reads the inventory through the API, as the inventory collector does every minute. */
    async refreshInventory() {
      directory = await readInventory()
    },
    /** The directory as last read, frozen for a test that needs an outdated view. */
    directory: () => directory,
    freezeSamples(at: number | null) {
      sampleMs = at
    },
    /** Samples keep coming, each this old when it arrives. */
    lagSamples(ms: number) {
      lagMs = ms
    },
    /** Advances the clock a minute at a time, re-reading the inventory and evaluating each time. */
    async minutes(count: number, ...instances: StorageAutopilot[]) {
      for (let i = 0; i < count; i++) {
        clock.advance(MINUTE)
        directory = await readInventory()
        for (const instance of instances) await instance.evaluate()
      }
    },
    expansions: (c: SimCluster) => c.operations.filter((op) => op.type === 'EXPAND_STORAGE'),
    async close() {
      for (const instance of autopilots) await instance.stop()
      await api.close()
      await simulator.close()
    }
  }
}
