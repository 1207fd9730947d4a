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
  /** `{a="1",b="2"}` or '', escaped once and shared by both formats. */
  readonly labelText: string
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

interface Building {
  readonly name: string
  readonly help: string
  readonly type: RenderType
  /** Label names in the order of the first spec seen; later specs are mapped onto it. */
  readonly labelNames: readonly string[]
  readonly samples: Map<string, RenderSample>
}

/** For each canonical label name, where its value sits in a spec's label order (-1: absent). */
function positions(canonical: readonly string[], labelNames: readonly string[]): readonly number[] | null {
  if (
    canonical.length === labelNames.length &&
    canonical.every((name, index) => labelNames[index] === name)
  ) {
    return null
  }
  return canonical.map((name) => labelNames.indexOf(name))
}

function makeSample(name: string, labels: LabelPairs, value: number): RenderSample {
  return { name, labels, labelText: formatLabels(labels), value }
}

/**
 * Merges families of the same name (one per collector or organization) into one, concatenating their
 * samples; of two samples with the same label set the last wins, in the position of the first.
 * Families are sorted by name so that the output does not depend on which collector finished first;
 * families without samples are left out, as the Go client does.
 */
export function mergeSnapshots(families: readonly FamilySnapshot[]): RenderFamily[] {
  const byName = new Map<string, Building>()
  for (const family of families) {
    const { name, help, type, labelNames } = family.spec
    let building = byName.get(name)
    if (building === undefined) {
      building = { name, help, type, labelNames, samples: new Map() }
      byName.set(name, building)
    }
    const canonical = building.labelNames
    const order = positions(canonical, labelNames)
    // a spec with labels the first one lacks cannot be mapped; its samples keep their own label set
    const foreign = order !== null && (order.includes(-1) || labelNames.length !== canonical.length)
    for (const sample of family.samples) {
      const values: readonly string[] =
        order === null || foreign ? sample.labels : order.map((index) => sample.labels[index] ?? '')
      const names = foreign ? labelNames : canonical
      const key = foreign ? JSON.stringify([names, values]) : JSON.stringify(values)
      const earlier = building.samples.get(key)
      if (earlier !== undefined) {
        building.samples.set(key, { ...earlier, value: sample.value })
        continue
      }
      const labels = names.map((label, index) => [label, values[index] ?? ''] as const)
      building.samples.set(key, makeSample(name, labels, sample.value))
    }
  }
  return [...byName.values()]
    .filter((family) => family.samples.size > 0)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, help, type, samples }) => ({ name, help, type, samples: [...samples.values()] }))
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
      return makeSample(sampleName, promClientLabels(value.labels), value.value)
    })
    return { name, help: metric.help, type, samples }
  })
}

const NEEDS_ESCAPE = /[\\"\n]/

/** Label values: backslash, double quote and line feed are escaped (both formats). */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value
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
