/**
 * The exporter's own representation of what it exposes. Collectors produce FamilySnapshots;
 * src/metrics/exposition.ts renders them once per collection into the text format and OpenMetrics.
 */

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
