import { describe, expect, it } from 'vitest'
import { HEAP_TUNING, heapTuningFlags } from '../../../src/cli/heap-tuning.js'

const ALL = HEAP_TUNING.map((tuning) => tuning.flag)
const GROWTH = '--semi-space-growth-factor=1'
const OLD = '--heap-growing-percent=50'

describe('heapTuningFlags', () => {
  it('sets both flags when the user set none', () => {
    expect(heapTuningFlags([], undefined)).toEqual(ALL)
    expect(heapTuningFlags(['--enable-source-maps'], '--no-warnings')).toEqual(ALL)
    expect(ALL).toEqual([GROWTH, OLD])
  })

  it('leaves the young generation alone when NODE_OPTIONS sizes it, as the Docker image does', () => {
    expect(heapTuningFlags([], '--max-semi-space-size=2')).toEqual([OLD])
    expect(heapTuningFlags([], '--no-warnings  --min_semi_space_size=4')).toEqual([OLD])
    expect(heapTuningFlags([], '--semi-space-growth-factor=4')).toEqual([OLD])
  })

  it('reads node flags given on the command line, with a value after a space or underscores', () => {
    expect(heapTuningFlags(['--max-semi-space-size', '16'], undefined)).toEqual([OLD])
    expect(heapTuningFlags(['--heap_growing_percent=0'], undefined)).toEqual([GROWTH])
  })

  it('sets nothing when the user chose both', () => {
    expect(heapTuningFlags(['--heap-growing-percent=0'], '--max-semi-space-size=16')).toEqual([])
  })

  it('does not take a value or a look-alike for a flag', () => {
    expect(heapTuningFlags([], '--max-semi-space-sizes=2 max-semi-space-size -heap-growing-percent')).toEqual(
      ALL
    )
  })
})
