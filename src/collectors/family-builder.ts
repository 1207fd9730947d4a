import type { FamilySnapshot, FamilySpec, Sample } from '../metrics/types.js'

/** Collects samples per family during one poll, then hands out the snapshots. */
export class FamilyBuilder {
  readonly #samples = new Map<FamilySpec, Sample[]>()

  constructor(specs: readonly FamilySpec[]) {
    // Declared families appear in the output (with HELP/TYPE) even when a poll found no samples.
    for (const spec of specs) this.#samples.set(spec, [])
  }

  add(spec: FamilySpec, labels: readonly string[], value: number | null | undefined): void {
    if (value === null || value === undefined || Number.isNaN(value)) return
    let samples = this.#samples.get(spec)
    if (samples === undefined) {
      samples = []
      this.#samples.set(spec, samples)
    }
    samples.push({ labels, value })
  }

  build(): FamilySnapshot[] {
    return [...this.#samples].map(([spec, samples]) => ({ spec, samples }))
  }
}
