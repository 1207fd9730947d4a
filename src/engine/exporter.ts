import type { CloudApi } from '../cloud/api.js'
import type { TimerClock, TimerHandle } from '../clock.js'
import type { Collector, CollectorDefinition } from '../collectors/collector.js'
import { createDirectoryStore, type DirectoryStore } from '../collectors/directory.js'
import { COLLECTORS } from '../collectors/registry.js'
import { createRunner } from './scheduler.js'
import type { Config } from '../config/types.js'
import type { Logger } from '../logger.js'
import type { ExpositionRenderer } from '../metrics/exposition.js'
import type { SelfMetrics } from '../metrics/self-metrics.js'
import type { FamilySnapshot } from '../metrics/types.js'
import type { CollectorStatus, Exposition, ExporterView } from './view.js'
import { clusterTargets, probeLookup } from './probe-view.js'
import { buildStatusReport } from './status.js'

export interface ExporterDeps {
  readonly config: Config
  readonly api: CloudApi
  readonly logger: Logger
  /** Wall time and every timer of the engine. */
  readonly clock: TimerClock
  readonly metrics: SelfMetrics
  readonly renderer: ExpositionRenderer
  /** The collectors to run; the registry's by default. */
  readonly collectors?: readonly CollectorDefinition[]
  readonly version: string
  /** Coalesces renders after collector runs that end close together. */
  readonly renderDelayMs?: number
  /** Least time between the starts of two renders (default 250 ms). */
  readonly minRenderIntervalMs?: number
}

export interface Exporter {
  readonly view: ExporterView
  readonly directory: DirectoryStore
  start(): void
  /** Stops polling, aborts requests in flight, waits for the runs to end. */
  stop(): Promise<void>
  /** Renders now; resolves once the new exposition is current (tests, shutdown). */
  renderNow(): Promise<Exposition>
  /** The families of the collectors' last runs and their status, as the storage autopilot reads them. */
  families(): readonly FamilySnapshot[]
  collectors(): readonly CollectorStatus[]
}

export function createExporter(deps: ExporterDeps): Exporter {
  const { config, logger } = deps
  const startedAt = deps.clock.now()
  const directory = createDirectoryStore()
  let inventoryDone = false
  let renderTimer: TimerHandle | null = null
  let rendering: Promise<Exposition> | null = null
  let stopped = false
  let lastRenderStart = 0
  let firstCollectionServed = false

  const runner = createRunner({
    logger,
    clock: deps.clock,
    metrics: deps.metrics,
    maxStalenessIntervals: config.maxStalenessIntervals,
    onRunEnd: (collector, error) => {
      if (collector.name === 'inventory' && error === null) {
        inventoryDone = true
        reconcileOrganizations()
      }
      scheduleRender()
    }
  })

  const definitions = deps.collectors ?? COLLECTORS
  const perOrganization = definitions.filter((definition) => definition.scope === 'organization')

  function create(definition: CollectorDefinition, organizationId: string): Collector {
    return definition.create({
      api: deps.api,
      logger: logger.child(
        organizationId === ''
          ? { collector: definition.name }
          : { collector: definition.name, organization_id: organizationId }
      ),
      clock: deps.clock,
      organizationId,
      directory,
      config
    })
  }

  const inventoryDefinition = definitions.find((definition) => definition.name === 'inventory')
  if (inventoryDefinition === undefined) throw new Error('the inventory collector is not in the registry')
  const inventory = create(inventoryDefinition, '')
  // The inventory always runs: it discovers the organizations the other collectors poll. Disabling it
  // only withdraws its own families.
  const inventoryCollector: Collector = config.collectors.inventory.enabled
    ? inventory
    : {
        ...inventory,
        collect: async (signal) => {
          await inventory.collect(signal)
          return []
        }
      }

  function reconcileOrganizations(): void {
    if (stopped) return
    const organizations = directory.current().organizations
    const wanted = new Set(organizations.map((organization) => organization.id))
    for (const status of runner.statuses()) {
      if (status.organizationId !== '' && !wanted.has(status.organizationId)) {
        runner.remove(status.collector, status.organizationId)
        logger.info(
          { organization_id: status.organizationId },
          'organization no longer visible; its collectors stopped'
        )
      }
    }
    for (const organization of organizations) {
      for (const definition of perOrganization) {
        const collectorConfig = config.collectors[definition.name]
        if (!collectorConfig.enabled || runner.has(definition.name, organization.id)) continue
        runner.add(create(definition, organization.id), collectorConfig)
      }
    }
  }

  // Runs that end close together share one render, and renders start at most once per
  // minRenderIntervalMs: with many organizations polled a minute apart, rendering stays cheap. The first
  // complete collection is rendered at once: readiness waits for it.
  function scheduleRender(): void {
    if (stopped) return
    const first = !firstCollectionServed && firstCollectionComplete()
    if (renderTimer !== null) {
      if (!first) return
      deps.clock.clearTimeout(renderTimer)
    }
    const wait = first
      ? 0
      : Math.max(
          deps.renderDelayMs ?? 20,
          lastRenderStart + (deps.minRenderIntervalMs ?? 250) - deps.clock.now()
        )
    renderTimer = deps.clock.setTimeout(() => {
      renderTimer = null
      void renderNow().catch((error: unknown) =>
        logger.error({ err: error }, 'rendering the exposition failed')
      )
    }, wait)
  }

  async function renderNow(): Promise<Exposition> {
    // Renders run one at a time; a request during a render waits for it and renders again.
    while (rendering !== null) await rendering.catch(() => undefined)
    lastRenderStart = deps.clock.now()
    const complete = firstCollectionComplete()
    const snapshot = runner.snapshot()
    rendering = deps.renderer.render(snapshot.families)
    try {
      const exposition = await rendering
      snapshot.publish()
      if (complete) firstCollectionServed = true
      return exposition
    } finally {
      rendering = null
    }
  }

  function firstCollectionComplete(): boolean {
    return inventoryDone && runner.everyCollectorRan()
  }

  function problem(): string | null {
    const statuses = runner.statuses()
    const inventoryStatus = statuses.find((status) => status.collector === 'inventory')
    if (inventoryStatus?.lastErrorReason === 'auth') {
      return 'the CrateDB Cloud API rejects every configured API key (revoked, deactivated, or deleted after 90 days without use)'
    }
    if (!inventoryDone) {
      return inventoryStatus?.lastErrorMessage
        ? `waiting for the first inventory: ${inventoryStatus.lastErrorMessage}`
        : 'waiting for the first collection'
    }
    if (!firstCollectionComplete()) return 'waiting for the first collection of every organization'
    const failing = statuses.filter((status) => status.success === false)
    if (failing.length > 0) {
      return `failing: ${failing.map((status) => `${status.collector}${status.organizationId ? `(${status.organizationId})` : ''}: ${status.lastErrorReason ?? ''}`).join(', ')}`
    }
    return null
  }

  // Ready once a scrape gets the first complete collection, not merely once it has been collected.
  function ready(): boolean {
    if (!firstCollectionServed) return false
    const inventoryStatus = runner.statuses().find((status) => status.collector === 'inventory')
    return inventoryStatus?.lastErrorReason !== 'auth'
  }

  const view: ExporterView = {
    exposition: () => deps.renderer.current(),
    selfMetrics: (format) => deps.renderer.selfMetrics(format),
    ready,
    alive: () => !stopped,
    targets: () => clusterTargets(directory.current()),
    probe: (clusterId) =>
      probeLookup({
        clusterId,
        directory: directory.current(),
        exposition: deps.renderer.current(),
        collectors: runner.statuses(),
        sharding: config.sharding ?? { total: 1, ordinal: 0 }
      }),
    status: () =>
      buildStatusReport({
        version: deps.version,
        startedAt,
        now: deps.clock.now(),
        ready: ready(),
        problem: problem(),
        apiUrl: config.api.url,
        shard: config.sharding ?? { total: 1, ordinal: 0 },
        directory: directory.current(),
        families: runner.families(),
        collectors: runner.statuses(),
        api: deps.api
      })
  }

  return {
    view,
    directory,
    start() {
      runner.add(inventoryCollector, config.collectors.inventory)
    },
    async stop() {
      stopped = true
      if (renderTimer !== null) deps.clock.clearTimeout(renderTimer)
      await runner.stop()
    },
    renderNow,
    families: () => runner.families(),
    collectors: () => runner.statuses()
  }
}
