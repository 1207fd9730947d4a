import type { Metric, MetricObjectWithValues, MetricValue, Registry } from 'prom-client'
import type { Clock } from '../clock.js'
import { ExpositionBody } from './body.js'
import { changeVersion, isTracked } from './change-tracking.js'
import { buildClusterIndex, isClusterFamily } from './cluster-slices.js'
import { renderBlocks } from './render-blocks.js'
import { fromPromClient, mergeSnapshots, type RenderFamily } from './render-model.js'
import { writeOpenMetrics, writeOpenMetricsFamilies } from './render-openmetrics.js'
import { writeText } from './render-text.js'
import type { Exposition, FamilySnapshot, SelfExposition } from './types.js'

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8'

/** Prometheus text format 0.0.4 of the collectors' families (merged by name, sorted). */
export function renderText(families: readonly FamilySnapshot[]): string {
  return writeText(mergeSnapshots(families))
}

/** OpenMetrics 1.0.0 of the collectors' families, ending in "# EOF". */
export function renderOpenMetrics(families: readonly FamilySnapshot[]): string {
  return writeOpenMetrics(mergeSnapshots(families))
}

export interface ExpositionRendererDeps {
  /** The exporter's own metrics (src/metrics/self-metrics.ts), current at every scrape. */
  readonly selfRegistry: Registry
  readonly clock: Clock
  /** How long one collection of the process_* and nodejs_* metrics is served (default 1 s). */
  readonly processMetricsMaxAgeMs?: number
  /**
   * Leave the cluster families (cluster and node series) out of the text and OpenMetrics bodies; they
   * stay in the cluster index that /probe serves.
   */
  readonly excludeClusterFamilies?: boolean
}

export type ExpositionFormat = 'text' | 'openmetrics'

/** prom-client's default metrics (collectDefaultMetrics). */
const PROCESS_METRIC = /^(process|nodejs)_/
const DEFAULT_PROCESS_METRICS_MAX_AGE_MS = 1000
type MetricValues = MetricObjectWithValues<MetricValue<string>>

/** Both pieces as one Buffer (for tools and tests). */
export function joinSelf(self: SelfExposition): Buffer {
  return Buffer.concat([self.stable, self.live])
}

export interface ExpositionRenderer {
  /**
   * Renders the collectors' families in both formats and makes the result current. Calls are
   * serialized: a render never interleaves with another, and generations are published in call order.
   */
  render(families: readonly FamilySnapshot[]): Promise<Exposition>
  /** The latest rendering; before the first, an empty generation 0. */
  current(): Exposition
  /**
   * The exporter's own metrics as they are now, in one format, to be served after the current
   * rendering; in OpenMetrics they end with the "# EOF" line.
   */
  selfMetrics(format: ExpositionFormat): Promise<SelfExposition>
}

/**
 * The collectors' families are rendered once per collection and cached with their gzip form, since
 * they change only when a poll ends. The exporter's own metrics (about 12 KB: API calls, collectors,
 * process and Node.js metrics) are current at every scrape without being rendered for each: their
 * rendering is kept until a tracked metric changes (src/metrics/change-tracking.ts) or the process
 * metrics are collected again; only the untracked ones, the scrape counter above all, are rendered per
 * scrape.
 */
export function createExpositionRenderer(deps: ExpositionRendererDeps): ExpositionRenderer {
  let latest: Exposition = Object.freeze({
    text: ExpositionBody.of(''),
    openMetrics: ExpositionBody.of(''),
    renderedAt: deps.clock.now(),
    generation: 0,
    clusters: new Map()
  })
  let generation = 0
  let queue: Promise<unknown> = Promise.resolve()

  function renderNow(families: readonly FamilySnapshot[]): Exposition {
    const renderedAt = deps.clock.now()
    const parts = renderBlocks(
      deps.excludeClusterFamilies === true
        ? families.filter((family) => !isClusterFamily(family.spec))
        : families
    )
    const clusters = buildClusterIndex(families)
    generation += 1
    latest = Object.freeze({
      text: new ExpositionBody(parts.text),
      openMetrics: new ExpositionBody(parts.openMetrics),
      renderedAt,
      generation,
      clusters
    })
    return latest
  }

  function render(families: readonly FamilySnapshot[]): Promise<Exposition> {
    const next = queue.then(() => renderNow(families))
    // A failed render must not block the ones queued after it.
    queue = next.catch(() => undefined)
    return next
  }

  // prom-client's process and Node.js metrics take about a millisecond of CPU to collect (reading
  // /proc, waiting a turn of the event loop for the lag): they are collected at most once per
  // processMetricsMaxAgeMs, and scrapes within that time share the collection.
  const maxAgeMs = deps.processMetricsMaxAgeMs ?? DEFAULT_PROCESS_METRICS_MAX_AGE_MS
  let processCollection: { at: number; values: Promise<MetricValues[]> } | null = null
  const processMetrics = (metrics: readonly Metric[]): Promise<MetricValues[]> => {
    const now = performance.now()
    if (processCollection === null || now - processCollection.at >= maxAgeMs) {
      const values = Promise.all(metrics.map((metric) => metric.get()))
      const collection = { at: now, values }
      processCollection = collection
      // A failed collection is not shared with later scrapes.
      values.catch(() => {
        if (processCollection === collection) processCollection = null
      })
    }
    return processCollection.values
  }

  interface StableRendering {
    readonly version: number
    /** The registry's metrics it was made of: a metric registered or removed since makes a new one. */
    readonly classes: Classes
    readonly processValues: Promise<MetricValues[]>
    readonly families: Promise<RenderFamily[]>
    text?: Buffer
    openMetrics?: Buffer
  }
  let stable: StableRendering | null = null

  const serialize = (families: readonly RenderFamily[], format: ExpositionFormat, last: boolean): Buffer =>
    Buffer.from(
      format === 'text'
        ? writeText(families)
        : last
          ? writeOpenMetrics(families)
          : writeOpenMetricsFamilies(families)
    )

  interface Classes {
    readonly all: readonly Metric[]
    readonly shared: readonly Metric[]
    readonly tracked: readonly Metric[]
    readonly live: readonly Metric[]
  }
  let sorted: Classes = { all: [], shared: [], tracked: [], live: [] }
  // The registry's metrics sorted into process metrics (collected at most once per maxAgeMs), tracked
  // ones (rendered again when they change) and the rest (read for every scrape); sorted again only
  // when the registry's list is not the one sorted last.
  const classify = (): Classes => {
    // The registry holds metric instances; its declared element type lacks get().
    const all = deps.selfRegistry.getMetricsAsArray() as unknown as readonly (Metric & { name: string })[]
    if (all.length === sorted.all.length && all.every((metric, i) => metric === sorted.all[i])) return sorted
    const shared: Metric[] = []
    const tracked: Metric[] = []
    const live: Metric[] = []
    for (const metric of all) {
      if (PROCESS_METRIC.test(metric.name)) shared.push(metric)
      else if (isTracked(metric)) tracked.push(metric)
      else live.push(metric)
    }
    sorted = { all, shared, tracked, live }
    return sorted
  }

  async function selfMetrics(format: ExpositionFormat): Promise<SelfExposition> {
    const classes = classify()
    // Read before the values, so that a change made while they are read makes the next scrape render
    // again (the values are read when rendered, so they are never older than the version).
    const version = changeVersion(deps.selfRegistry)
    const processValues = processMetrics(classes.shared)
    if (
      stable === null ||
      stable.version !== version ||
      stable.classes !== classes ||
      stable.processValues !== processValues
    ) {
      const families = Promise.all([
        processValues,
        Promise.all(classes.tracked.map((metric) => metric.get()))
      ]).then(([processed, own]) => fromPromClient([...processed, ...own]))
      const entry: StableRendering = { version, classes, processValues, families }
      stable = entry
      // A failed read is not kept for later scrapes.
      families.catch(() => {
        if (stable === entry) stable = null
      })
    }
    const current = stable
    const [stableFamilies, liveValues] = await Promise.all([
      current.families,
      Promise.all(classes.live.map((metric) => metric.get()))
    ])
    const key = format === 'text' ? 'text' : 'openMetrics'
    const stableBytes = (current[key] ??= serialize(stableFamilies, format, false))
    return { stable: stableBytes, live: serialize(fromPromClient(liveValues), format, true) }
  }

  return { render, current: () => latest, selfMetrics }
}

/** A whole scrape's body in one format: the current rendering and the self metrics (for tools and tests). */
export async function scrapeBody(renderer: ExpositionRenderer, format: ExpositionFormat): Promise<string> {
  const exposition = renderer.current()
  const self = joinSelf(await renderer.selfMetrics(format))
  const body = format === 'openmetrics' ? exposition.openMetrics : exposition.text
  return body.toString('utf8') + self.toString('utf8')
}
