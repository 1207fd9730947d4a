import { BlockWriter } from './block-writer.js'
import { escapeLabelValue, formatValue } from './render-model.js'
import { escapeOpenMetricsHelp } from './render-openmetrics.js'
import { escapeTextHelp } from './render-text.js'
import type { FamilySnapshot, FamilySpec } from './types.js'

/**
 * The sample lines of one FamilySnapshot, rendered once and shared by both formats (a sample line is
 * the same in the text format and in OpenMetrics: counters end in _total, info metrics in _info in
 * both). A collector's snapshot lives until its next run, so a render only formats the snapshots
 * that are new since the last one; the others are reused as they are.
 */
const blocks = new WeakMap<FamilySnapshot, readonly Buffer[]>()

export function sampleBlock(family: FamilySnapshot): readonly Buffer[] {
  const cached = blocks.get(family)
  if (cached !== undefined) return cached
  const { name, labelNames } = family.spec
  const openers = labelNames.map((label, index) => `${index === 0 ? '{' : ','}${label}="`)
  const closer = openers.length > 0 ? '} ' : ' '
  const writer = new BlockWriter()
  for (const sample of family.samples) {
    let line = name
    for (let i = 0; i < openers.length; i++)
      line += `${openers[i]}${escapeLabelValue(sample.labels[i] ?? '')}"`
    writer.write(`${line}${closer}${formatValue(sample.value)}\n`)
  }
  const block = writer.finish()
  blocks.set(family, block)
  return block
}

export function textHeader(spec: FamilySpec): Buffer {
  const type = spec.type === 'info' ? 'gauge' : spec.type
  return Buffer.from(`# HELP ${spec.name} ${escapeTextHelp(spec.help)}\n# TYPE ${spec.name} ${type}\n`)
}

export function openMetricsHeader(spec: FamilySpec): Buffer {
  const suffix = spec.type === 'counter' ? '_total' : spec.type === 'info' ? '_info' : ''
  const family = suffix !== '' && spec.name.endsWith(suffix) ? spec.name.slice(0, -suffix.length) : spec.name
  return Buffer.from(`# HELP ${family} ${escapeOpenMetricsHelp(spec.help)}\n# TYPE ${family} ${spec.type}\n`)
}

/**
 * Both formats as lists of buffers: per family name (sorted), its header and the sample blocks of
 * every snapshot of that name. Collectors emit disjoint label sets (each organization's collectors
 * label their samples with that organization's clusters), so blocks are concatenated, not merged.
 */
export function renderBlocks(families: readonly FamilySnapshot[]): { text: Buffer[]; openMetrics: Buffer[] } {
  const byName = new Map<string, { spec: FamilySpec; blocks: Buffer[] }>()
  for (const family of families) {
    if (family.samples.length === 0) continue
    let group = byName.get(family.spec.name)
    if (group === undefined) {
      group = { spec: family.spec, blocks: [] }
      byName.set(family.spec.name, group)
    }
    group.blocks.push(...sampleBlock(family))
  }
  const text: Buffer[] = []
  const openMetrics: Buffer[] = []
  for (const name of [...byName.keys()].sort()) {
    const group = byName.get(name)
    if (group === undefined) continue
    text.push(textHeader(group.spec), ...group.blocks)
    openMetrics.push(openMetricsHeader(group.spec), ...group.blocks)
  }
  return { text, openMetrics }
}
