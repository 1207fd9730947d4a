import { formatValue, type RenderFamily } from './render-model.js'

export const OPENMETRICS_EOF = '# EOF\n'

/** HELP in OpenMetrics is escaped like a label value: backslash, double quote, line feed. */
export function escapeOpenMetricsHelp(help: string): string {
  return help.replace(/[\\"\n]/g, (char) => (char === '\\' ? '\\\\' : char === '"' ? '\\"' : '\\n'))
}

function stripSuffix(name: string, suffix: string): string {
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : name
}

/**
 * OpenMetrics names a counter family without "_total" and an info family without "_info"; their
 * samples carry the suffix.
 */
function openMetricsNames(family: RenderFamily): { family: string; sample: (name: string) => string } {
  if (family.type === 'counter') {
    const base = stripSuffix(family.name, '_total')
    return { family: base, sample: (name) => (name === family.name ? `${base}_total` : name) }
  }
  if (family.type === 'info') {
    const base = stripSuffix(family.name, '_info')
    return { family: base, sample: (name) => (name === family.name ? `${base}_info` : name) }
  }
  return { family: family.name, sample: (name) => name }
}

function openMetricsType(family: RenderFamily): string {
  return family.type === 'untyped' ? 'unknown' : family.type
}

/**
 * OpenMetrics 1.0.0 lines of the families, without timestamps and without the closing "# EOF": for a
 * body assembled from several renderings.
 */
export function writeOpenMetricsFamilies(families: readonly RenderFamily[]): string {
  const lines: string[] = []
  for (const family of families) {
    const names = openMetricsNames(family)
    lines.push(`# HELP ${names.family} ${escapeOpenMetricsHelp(family.help)}`)
    lines.push(`# TYPE ${names.family} ${openMetricsType(family)}`)
    for (const sample of family.samples) {
      lines.push(`${names.sample(sample.name)}${sample.labelText} ${formatValue(sample.value)}`)
    }
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n'
}

/** OpenMetrics 1.0.0 text, without timestamps, ending in exactly one "# EOF". */
export function writeOpenMetrics(families: readonly RenderFamily[]): string {
  return writeOpenMetricsFamilies(families) + OPENMETRICS_EOF
}
