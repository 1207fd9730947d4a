/**
 * The exporter's own representation of what it exposes. Collectors produce FamilySnapshots;
 * src/metrics/exposition.ts renders them once per collection into the text format and OpenMetrics.
 */

import type { ExpositionBody } from './body.js'

export type MetricType = 'gauge' | 'counter' | 'info'

export interface FamilySpec {
  /** Full sample name as exposed in the text format, e.g. cratedb_cloud_node_queries_total. */
  readonly name: string
  readonly help: string
  readonly type: MetricType
  readonly labelNames: readonly string[]
}

export interface Sample {
  /** Label values in the order of FamilySpec.labelNames. */
  readonly labels: readonly string[]
  readonly value: number
}

export interface FamilySnapshot {
  readonly spec: FamilySpec
  readonly samples: readonly Sample[]
}

/** One cluster family's lines of one cluster: views of the rendered sample blocks. */
export interface ClusterFamilySlice {
  readonly spec: FamilySpec
  readonly parts: readonly Buffer[]
}

/** Every cluster family's views, by cluster id and then by family name (sorted, as on /metrics). */
export type ClusterIndex = ReadonlyMap<string, readonly ClusterFamilySlice[]>

/**
 * One rendering of the collectors' families, made once per collection and served as is; a scrape
 * appends the exporter's own metrics, rendered for it (ExporterView.selfMetrics).
 */
export interface Exposition {
  /** Prometheus text format 0.0.4. */
  readonly text: ExpositionBody
  /** OpenMetrics 1.0.0, without the "# EOF" that ends the self metrics appended per scrape. */
  readonly openMetrics: ExpositionBody
  /** When this rendering was made (ms since epoch). */
  readonly renderedAt: number
  /** Increases by one with every rendering. */
  readonly generation: number
  /** Each cluster's series, as views of the same rendering, for /probe. */
  readonly clusters: ClusterIndex
}

/**
 * The exporter's own metrics in one format, as two pieces served one after the other. `stable` is the
 * same Buffer, scrape after scrape, until a tracked metric changes or the process metrics are collected
 * again (at most once a second), so that what is derived from it (its gzip form) can be cached by
 * identity; `live` holds the metrics read for every scrape (the scrape counter) and, in OpenMetrics,
 * the closing "# EOF".
 */
export interface SelfExposition {
  readonly stable: Buffer
  readonly live: Buffer
}
