import type { Registry } from 'prom-client'
import type { Clock } from '../clock.js'
import { ExpositionBody } from './body.js'
import { buildClusterIndex, isClusterFamily } from './cluster-slices.js'
import { renderBlocks } from './render-blocks.js'
import { fromPromClient, mergeSnapshots, type RenderFamily } from './render-model.js'
import { OPENMETRICS_EOF, writeOpenMetrics } from './render-openmetrics.js'
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
  /** The exporter's own metrics (src/metrics/self-metrics.ts), appended after the collectors' families. */
  readonly selfRegistry: Registry
  readonly clock: Clock
  /**
   * Leave the cluster families (cluster and node series) out of the text and OpenMetrics bodies; they
   * stay in the cluster index that /probe serves.
   */
  readonly excludeClusterFamilies?: boolean
}

export interface ExpositionRenderer {
  /**
   * Renders the collectors' families plus a snapshot of the self metrics in both formats and makes the
   * result current. Calls are serialized: a render never interleaves with another, and generations
   * are published in call order.
   */
  render(families: readonly FamilySnapshot[]): Promise<Exposition>
  /** The latest rendering (see createExpositionRenderer for the one before the first render). */
  current(): Exposition
}

/**
 * A self-metrics-only rendering (generation 1) is started at creation, so that current() serves the
 * exporter's own metrics before the first collection; until it resolves (a few microtasks), current()
 * is an empty generation 0. Renders by the caller therefore start at generation 2.
 */
export function createExpositionRenderer(deps: ExpositionRendererDeps): ExpositionRenderer {
  let latest: Exposition = Object.freeze({
    text: ExpositionBody.of(''),
    openMetrics: ExpositionBody.of(OPENMETRICS_EOF),
    renderedAt: deps.clock.now(),
    generation: 0,
    clusters: new Map()
  })
  let generation = 0
  let queue: Promise<unknown> = Promise.resolve()

  async function renderNow(families: readonly FamilySnapshot[]): Promise<Exposition> {
    const renderedAt = deps.clock.now()
    const own: RenderFamily[] = fromPromClient(await deps.selfRegistry.getMetricsAsJSON())
    const parts = renderBlocks(
      deps.excludeClusterFamilies === true
        ? families.filter((family) => !isClusterFamily(family.spec))
        : families
    )
    const clusters = buildClusterIndex(families)
    const textParts = [...parts.text, Buffer.from(writeText(own))]
    const openMetricsParts = [...parts.openMetrics, Buffer.from(writeOpenMetrics(own))]
    generation += 1
    latest = Object.freeze({
      text: new ExpositionBody(textParts),
      openMetrics: new ExpositionBody(openMetricsParts),
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

  void render([]).catch(() => undefined)
  return { render, current: () => latest }
}
