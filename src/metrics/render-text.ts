import { formatValue, type RenderFamily, type RenderType } from './render-model.js'

/** HELP in the text format 0.0.4: only backslash and line feed are escaped. */
export function escapeTextHelp(help: string): string {
  return help.replace(/[\\\n]/g, (char) => (char === '\\' ? '\\\\' : '\\n'))
}

function textType(type: RenderType): string {
  // 0.0.4 has no info type; an info metric is a gauge whose value is always 1.
  return type === 'info' ? 'gauge' : type
}

/** Prometheus text format 0.0.4, without timestamps. */
export function writeText(families: readonly RenderFamily[]): string {
  const lines: string[] = []
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeTextHelp(family.help)}`)
    lines.push(`# TYPE ${family.name} ${textType(family.type)}`)
    for (const sample of family.samples) {
      lines.push(`${sample.name}${sample.labelText} ${formatValue(sample.value)}`)
    }
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n'
}
