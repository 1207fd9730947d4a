/** A small reader of Prometheus text lines, for the simulator tests (the real parser lives in src/cloud). */
export interface Sample {
  readonly family: string
  readonly labels: Record<string, string>
  readonly labelNames: readonly string[]
  readonly rawValue: string
  readonly value: number
  readonly timestampMs: number | null
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (\d+))?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = LINE.exec(line)
    if (match === null) throw new Error(`not a sample line: ${line.slice(0, 120)}`)
    const labels: Record<string, string> = {}
    const labelNames: string[] = []
    for (const label of (match[2] ?? '').matchAll(LABEL)) {
      labels[label[1]!] = label[2]!
      labelNames.push(label[1]!)
    }
    samples.push({
      family: match[1]!,
      labels,
      labelNames,
      rawValue: match[3]!,
      value: Number(match[3]),
      timestampMs: match[4] === undefined ? null : Number(match[4])
    })
  }
  return samples
}

/** Family -> the distinct sets of label names its samples carry (each as a sorted, comma-joined key). */
export function labelNameSets(samples: readonly Sample[]): Map<string, Set<string>> {
  const sets = new Map<string, Set<string>>()
  for (const sample of samples) {
    const set = sets.get(sample.family) ?? new Set<string>()
    set.add([...sample.labelNames].sort().join(','))
    sets.set(sample.family, set)
  }
  return sets
}

export function familyOrder(samples: readonly Sample[]): string[] {
  const order: string[] = []
  for (const sample of samples) if (order[order.length - 1] !== sample.family) order.push(sample.family)
  return order
}
