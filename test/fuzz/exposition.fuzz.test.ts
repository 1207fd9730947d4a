import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parsePromText } from '../../src/prom-text/index.js'
import { renderOpenMetrics, renderText } from '../../src/metrics/exposition.js'
import type { FamilySnapshot, MetricType } from '../../src/metrics/types.js'
import { startTestExporter, waitFor, type TestExporter } from '../helpers/exporter.js'
import { startTestSimulator, type RunningSimulator } from '../helpers/simulator.js'
import { promtoolCheck, scrapeExposition } from '../reliability/support.js'

/**
 * Label values with quotes, backslashes, line breaks and any Unicode, from FamilySnapshots and from the
 * names the API returns, stay valid in both formats: parsed back, every value and label round-trips.
 */

const SEED = Number(process.env['FUZZ_SEED'] ?? 7331)

const nasty = fc.constantFrom(
  '"',
  '\\',
  '\n',
  '\\n',
  '\\"',
  '\r',
  '\t',
  '{',
  '}',
  ',',
  '=',
  ' ',
  'ä',
  '😀',
  '\u2028',
  '#'
)
/** Well-formed Unicode strings (a lone surrogate cannot be sent as UTF-8 at all) with the characters that need escaping. */
const labelValue = fc
  .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 4 }), nasty), { maxLength: 8 })
  .map((parts) => parts.join(''))

const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER, 2 ** 60, 1e-300, Infinity, -Infinity, NaN)
)

const NAMES: Record<MetricType, string[]> = {
  gauge: ['fuzz_alpha_bytes', 'fuzz_beta_ratio'],
  counter: ['fuzz_gamma_total', 'fuzz_delta_seconds_total'],
  info: ['fuzz_epsilon_info']
}

const family = fc
  .record({
    type: fc.constantFrom<MetricType>('gauge', 'counter', 'info'),
    pick: fc.nat(),
    help: labelValue,
    samples: fc.array(fc.tuple(labelValue, labelValue, number), { maxLength: 5 })
  })
  .map(({ type, pick, help, samples }): FamilySnapshot => {
    const names = NAMES[type]
    return {
      spec: {
        name: names[pick % names.length]!,
        // HELP texts are the exporter's own (the catalogue); a carriage return would read as a line end.
        help: `Fuzzed ${help.replace(/\r/g, '')}`,
        type,
        labelNames: ['i', 'cluster_name', 'organization_name']
      },
      samples: samples.map(([cluster, organization, value], i) => ({
        labels: [String(i), cluster, organization],
        value: type === 'info' ? 1 : value
      }))
    }
  })

/** One family per name (merging is tested elsewhere): the first of each name wins. */
const families = fc
  .array(family, { maxLength: 4 })
  .map((list) => list.filter((f, i) => list.findIndex((g) => g.spec.name === f.spec.name) === i))

function sameNumber(actual: number, expected: number): boolean {
  return Number.isNaN(expected) ? Number.isNaN(actual) : actual === expected
}

function expectRoundTrip(text: string, input: readonly FamilySnapshot[], format: string): void {
  const parsed = parsePromText(text)
  expect(parsed.invalid, `${format}: ${JSON.stringify(text.slice(0, 400))}`).toEqual({
    count: 0,
    first: null
  })
  const expected = input.flatMap((f) =>
    f.samples.map((s) => ({ name: f.spec.name, labels: s.labels, value: s.value }))
  )
  expect(parsed.samples).toHaveLength(expected.length)
  for (const want of expected) {
    const got = parsed.samples.find((s) => s.name === want.name && s.labels['i'] === want.labels[0])
    expect(got, `${format}: ${want.name}{i="${want.labels[0]}"}`).toBeDefined()
    expect(got!.labels).toEqual({
      i: want.labels[0],
      cluster_name: want.labels[1],
      organization_name: want.labels[2]
    })
    expect(sameNumber(got!.value, want.value), `${got!.value} vs ${want.value}`).toBe(true)
  }
  for (const f of input) {
    if (f.samples.length === 0) continue
    const openMetrics = format === 'openmetrics'
    const metadataName = openMetrics ? f.spec.name.replace(/_(total|info)$/, '') : f.spec.name
    // OpenMetrics also escapes '"' in HELP; the 0.0.4 parser leaves that escape as it is.
    // The parser trims the text around HELP, as Prometheus does; the rest must be exact.
    const help = openMetrics ? f.spec.help.replaceAll('"', '\\"') : f.spec.help
    expect(parsed.help.get(metadataName)?.trim()).toBe(help.trim())
  }
}

describe('exposition with hostile label values (fuzzed)', () => {
  it('round-trips through the text format and OpenMetrics', () => {
    fc.assert(
      fc.property(families, (input) => {
        expectRoundTrip(renderText(input), input, 'text')
        const om = renderOpenMetrics(input)
        expect(om.endsWith('# EOF\n')).toBe(true)
        expectRoundTrip(om, input, 'openmetrics')
      }),
      { numRuns: 400, seed: SEED }
    )
  })

  it('passes promtool check metrics', () => {
    const samples = fc.sample(
      families.filter((list) => list.some((f) => f.samples.length > 0)),
      { numRuns: 6, seed: SEED }
    )
    for (const input of samples) {
      const checked = promtoolCheck(renderText(input))
      if (checked === null) return
      expect(checked, renderText(input)).toEqual({ status: 0, output: '' })
    }
  })
})

const HOSTILE_PROJECT = 'p "quoted" \\ back\nslash ü {a="b"}'

describe('names from the API with hostile characters (fuzzed)', () => {
  let sim: RunningSimulator
  let exporter: TestExporter
  beforeAll(async () => {
    sim = await startTestSimulator({
      scenario: { kind: 'generated', organizations: 1, projectsPerOrganization: 1, clusters: 1 },
      settings: { rateLimitWindowMs: 100 }
    })
    // Project listings are reused for 10 minutes (src/collectors/inventory.ts), so the project gets its
    // hostile name before the exporter starts; cluster and organization names change on every run.
    ;(sim.state.projects()[0] as { name: string }).name = HOSTILE_PROJECT
    exporter = await startTestExporter(sim, {
      flags: { 'collector.org_metrics.interval': '1s', 'collector.inventory.interval': '1s' }
    })
  })
  afterAll(async () => {
    await exporter.close()
    await sim.close()
  })

  it('reach /metrics escaped, in both formats, and parse back unchanged', async () => {
    const cluster = sim.state.clusters()[0]!
    const organization = sim.state.organizations()[0]! as { name: string }
    const openMetrics = async (): Promise<string> =>
      (
        await fetch(`${exporter.url}/metrics`, {
          headers: { accept: 'application/openmetrics-text; version=1.0.0' }
        })
      ).text()
    await fc.assert(
      fc.asyncProperty(labelValue, labelValue, async (clusterName, organizationName) => {
        cluster.name = clusterName
        organization.name = organizationName
        const wanted = {
          cluster_id: cluster.id,
          cluster_name: clusterName,
          organization_name: organizationName
        }
        await waitFor('the new names', async () => {
          const s = await scrapeExposition(exporter.url)
          const node = s.series('cratedb_cloud_node_cpu_seconds_total', { cluster_id: cluster.id })
          return (
            s.series('cratedb_cloud_cluster_info', { ...wanted, project_name: HOSTILE_PROJECT }).length ===
              1 &&
            node.length > 0 &&
            node.every((labels) => labels['cluster_name'] === clusterName)
          )
        })
        const text = await (await fetch(`${exporter.url}/metrics`)).text()
        expect(parsePromText(text).invalid.count).toBe(0)
        const checked = promtoolCheck(text)
        if (checked !== null) expect(checked).toEqual({ status: 0, output: '' })
        const om = parsePromText(await openMetrics())
        expect(om.invalid.count).toBe(0)
        expect(
          om.samples.filter(
            (s) => s.name === 'cratedb_cloud_cluster_info' && s.labels['cluster_name'] === clusterName
          )
        ).toHaveLength(1)
      }),
      { numRuns: 4, seed: SEED }
    )
  })
})
