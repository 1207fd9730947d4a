import type { MetricObjectWithValues, MetricValue, MetricValueWithName } from 'prom-client'
import type { FamilySnapshot } from './types.js'

/**
 * The format-neutral model both writers (render-text.ts, render-openmetrics.ts) consume. Families from
 * collectors and from the exporter's own prom-client registry are both brought into it, so that the
 * two formats are always written from the same snapshot.
 */
export type RenderType = 'gauge' | 'counter' | 'info' | 'histogram' | 'summary' | 'untyped'

export type LabelPairs = readonly (readonly [name: string, value: string])[]

export interface RenderSample {
  /** Sample name as in the text format 0.0.4 (counters end in _total, info metrics in _info). */
  readonly name: string
  readonly labels: LabelPairs
  readonly value: number
}

export interface RenderFamily {
  /** Family name as in the text format 0.0.4 (equal to the sample name for gauges, counters, info). */
  readonly name: string
  readonly help: string
  readonly type: RenderType
  readonly samples: readonly RenderSample[]
}

const TOTAL = '_total'

function pairsOf(labelNames: readonly string[], values: readonly string[]): LabelPairs {
  return labelNames.map((name, index) => [name, values[index] ?? ''] as const)
}

/** Identity of a label set, independent of the order of its labels. */
function labelKey(labels: LabelPairs): string {
  return JSON.stringify([...labels].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)))
}

interface Building {
  name: string
  help: string
  type: RenderType
  samples: Map<string, RenderSample>
}

/**
 * Merges families of the same name (one per collector or organization) into one, concatenating their
 * samples; of two samples with the same name and label set the last wins, in the position of the first.
 * Families are sorted by name so that the output does not depend on which collector finished first;
 * families without samples are left out, as the Go client does.
 */
export function mergeSnapshots(families: readonly FamilySnapshot[]): RenderFamily[] {
  const byName = new Map<string, Building>()
  for (const family of families) {
    const { name, help, type, labelNames } = family.spec
    let building = byName.get(name)
    if (building === undefined) {
      building = { name, help, type, samples: new Map() }
      byName.set(name, building)
    }
    for (const sample of family.samples) {
      const labels = pairsOf(labelNames, sample.labels)
      const key = labelKey(labels)
      const earlier = building.samples.get(key)
      building.samples.set(key, { name, labels: earlier?.labels ?? labels, value: sample.value })
    }
  }
  return [...byName.values()]
    .filter((family) => family.samples.size > 0)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((family) => ({ ...family, samples: [...family.samples.values()] }))
}

function promClientType(type: string): RenderType {
  switch (type) {
    case 'gauge':
    case 'counter':
    case 'histogram':
    case 'summary':
      return type
    default:
      return 'untyped'
  }
}

function promClientLabels(labels: Partial<Record<string, string | number>>): LabelPairs {
  const pairs: [string, string][] = []
  for (const [name, value] of Object.entries(labels)) {
    if (value !== undefined) pairs.push([name, String(value)])
  }
  return pairs
}

/**
 * Brings prom-client's JSON (registry.getMetricsAsJSON()) into the model. The exporter serializes its
 * own metrics itself rather than through registry.metrics(): in OpenMetrics mode prom-client renames
 * counters in place (dropping "_total"), which would corrupt every later text-format rendering.
 * Counter names are normalized to end in _total for the same reason.
 */
export function fromPromClient(
  metrics: readonly MetricObjectWithValues<MetricValue<string>>[]
): RenderFamily[] {
  return metrics.map((metric) => {
    // The typings declare a numeric enum; at run time prom-client reports 'counter', 'gauge', ...
    const type = promClientType(String(metric.type))
    const name = type === 'counter' && !metric.name.endsWith(TOTAL) ? metric.name + TOTAL : metric.name
    const samples = metric.values.map((raw): RenderSample => {
      const value = raw as MetricValueWithName<string>
      const given = value.metricName ?? name
      const sampleName = type === 'counter' && !given.endsWith(TOTAL) ? given + TOTAL : given
      return { name: sampleName, labels: promClientLabels(value.labels), value: value.value }
    })
    return { name, help: metric.help, type, samples }
  })
}

/** Label values: backslash, double quote and line feed are escaped (both formats). */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === '\\' ? '\\\\' : char === '"' ? '\\"' : '\\n'))
}

/** Values as Prometheus writes them: NaN, +Inf, -Inf; integers up to 2^53 in full, without exponent. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  if (Number.isSafeInteger(value)) return value.toFixed(0)
  return String(value)
}

export function formatLabels(labels: LabelPairs): string {
  if (labels.length === 0) return ''
  return `{${labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`
}
