import { describe, expect, it } from 'vitest'
import { createSeriesHistory, linearFit, secondsUntil, type Point } from '../../../src/autopilot/forecast.js'

const GB = 1e9
const MINUTE = 60_000
/** A node growing 1 GB a minute from 500 GB, one point a minute for `minutes` minutes. */
const growing = (minutes: number): Point[] =>
  Array.from({ length: minutes + 1 }, (_, i) => ({ t: i * MINUTE, v: 500 * GB + i * GB }))

describe('linearFit and secondsUntil', () => {
  it('agree with the recording rules: 440 minutes to 1000 GB and 390 to 950 GB after an hour', () => {
    const points = growing(60)
    expect(linearFit(points, 60 * MINUTE)?.slope).toBeCloseTo(GB / 60, 3)
    expect(secondsUntil(points, 1000 * GB, 60 * MINUTE)).toBeCloseTo(26_400, 6)
    expect(secondsUntil(points, 950 * GB, 60 * MINUTE)).toBeCloseTo(23_400, 6)
  })

  it('fits noisy growth by least squares, not by the last two points', () => {
    const points = growing(60).map((p, i) => ({ t: p.t, v: p.v + (i % 2 === 0 ? 3 * GB : -3 * GB) }))
    // the last two points alone would give a slope of -5 GB a minute
    expect(linearFit(points, 60 * MINUTE)!.slope * 60).toBeCloseTo(GB, -7)
  })

  it('gives no forecast for a series that does not grow, or with fewer than two times', () => {
    expect(
      secondsUntil(
        [
          { t: 0, v: 5 },
          { t: MINUTE, v: 5 }
        ],
        10,
        MINUTE
      )
    ).toBeNull()
    expect(
      secondsUntil(
        [
          { t: 0, v: 9 },
          { t: MINUTE, v: 5 }
        ],
        10,
        MINUTE
      )
    ).toBeNull()
    expect(secondsUntil([{ t: 0, v: 5 }], 10, 0)).toBeNull()
    expect(
      secondsUntil(
        [
          { t: 0, v: 5 },
          { t: 0, v: 6 }
        ],
        10,
        0
      )
    ).toBeNull()
  })

  it('says 0 once the limit is passed', () => {
    expect(secondsUntil(growing(60), 100 * GB, 60 * MINUTE)).toBe(0)
  })
})

describe('createSeriesHistory', () => {
  it('keeps at most maxPoints points and nothing older than the window', () => {
    const history = createSeriesHistory({ windowMs: 30 * MINUTE, maxPoints: 10 })
    for (const p of growing(100)) history.add('a', p)
    expect(history.points('a')).toHaveLength(10)
    expect(history.points('a')[0]?.t).toBe(91 * MINUTE)
    const wide = createSeriesHistory({ windowMs: 30 * MINUTE, maxPoints: 1000 })
    for (const p of growing(100)) wide.add('a', p)
    expect(wide.points('a')).toHaveLength(31)
    expect(wide.points('a')[0]?.t).toBe(70 * MINUTE)
  })

  it('ignores a point that is not newer than the last one (a body served again from the cache)', () => {
    const history = createSeriesHistory({ windowMs: 3_600_000, maxPoints: 100 })
    history.add('a', { t: 2 * MINUTE, v: 1 })
    history.add('a', { t: 2 * MINUTE, v: 2 })
    history.add('a', { t: MINUTE, v: 3 })
    expect(history.points('a')).toEqual([{ t: 2 * MINUTE, v: 1 }])
  })

  it('forgets the series that are no longer seen', () => {
    const history = createSeriesHistory({ windowMs: 3_600_000, maxPoints: 100 })
    history.add('a', { t: 1, v: 1 })
    history.add('b', { t: 1, v: 1 })
    history.retain(new Set(['b']))
    expect(history.size()).toBe(1)
    expect(history.points('a')).toEqual([])
    history.forget('b')
    expect(history.size()).toBe(0)
  })
})
