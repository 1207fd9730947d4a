import type { Metric, MetricObjectWithValues, MetricValue, Registry } from 'prom-client'
import type { Clock } from '../clock.js'
import { ExpositionBody } from './body.js'
import { buildClusterIndex, isClusterFamily } from './cluster-slices.js'
import { renderBlocks } from './render-blocks.js'
import { fromPromClient, mergeSnapshots, type RenderFamily } from './render-model.js'
import { writeOpenMetrics } from './render-openmetrics.js'
import { writeText } from './render-text.js'
import type { Exposition, FamilySnapshot } from './types.js'

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
  /** The exporter's own metrics (src/metrics/self-metrics.ts), rendered anew for every scrape. */
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
   * rendering; in OpenMetrics it ends with the "# EOF" line.
   */
  selfMetrics(format: ExpositionFormat): Promise<Buffer>
}

/**
 * The collectors' families are rendered once per collection and cached with their gzip form, since
 * they change only when a poll ends; the exporter's own metrics (a few kilobytes: scrapes, API calls,
 * process and Node.js metrics) are rendered at every scrape, so that they are current.
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
  // processMetricsMaxAgeMs, and scrapes within that time share the collection. The exporter's own
  // metrics (scrapes, API calls, collectors) are read for every scrape.
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

  async function selfMetrics(format: ExpositionFormat): Promise<Buffer> {
    // The registry holds metric instances; its declared element type lacks get().
    const all = deps.selfRegistry.getMetricsAsArray() as unknown as readonly (Metric & { name: string })[]
    const shared = all.filter((metric) => PROCESS_METRIC.test(metric.name))
    const own = all.filter((metric) => !PROCESS_METRIC.test(metric.name))
    const [processValues, ownValues] = await Promise.all([
      processMetrics(shared),
      Promise.all(own.map((metric) => metric.get()))
    ])
    const families: RenderFamily[] = fromPromClient([...processValues, ...ownValues])
    return Buffer.from(format === 'openmetrics' ? writeOpenMetrics(families) : writeText(families))
  }

  return { render, current: () => latest, selfMetrics }
}

/** A whole scrape's body in one format: the current rendering and the self metrics (for tools and tests). */
export async function scrapeBody(renderer: ExpositionRenderer, format: ExpositionFormat): Promise<string> {
  const exposition = renderer.current()
  const self = await renderer.selfMetrics(format)
  const body = format === 'openmetrics' ? exposition.openMetrics : exposition.text
  return body.toString('utf8') + self.toString('utf8')
}
