import { describe, expect, it } from 'vitest'
import { SAFETY_MARGIN_MS, createPollBudget } from '../../../../src/collectors/org-metrics/budget.js'

const W = 60_000
const T0 = 1_800_000_000_000

describe('the org-metrics poll budget', () => {
  it('opens the next window one window plus the margin after the answer arrived, not after the run started', () => {
    const budget = createPollBudget(W)
    // The run started at T0, the answer took 1.7 s to arrive.
    expect(budget.answered(T0 + 1700, T0 - 3000)).toBe('fresh')
    expect(budget.nextRequestAt(T0, W)).toBe(T0 + 1700 + W + SAFETY_MARGIN_MS)
    // A longer interval is the operator's choice.
    expect(budget.nextRequestAt(T0, 5 * W)).toBe(T0 + 5 * W)
  })

  it("re-anchors on a 429's Retry-After once, then on the next fresh answer", () => {
    const budget = createPollBudget(W)
    budget.answered(T0, T0 - 2000)
    budget.throttled(T0 + 30_000, 31)
    expect(budget.nextRequestAt(T0 + 30_000, W)).toBe(T0 + 30_000 + 31_000 + SAFETY_MARGIN_MS)
    // A repeated plan gives the same time: no drift.
    expect(budget.nextRequestAt(T0 + 30_000, W)).toBe(T0 + 62_000)
    budget.answered(T0 + 62_500, T0 + 60_500)
    expect(budget.nextRequestAt(T0 + 62_000, W)).toBe(T0 + 62_500 + W + SAFETY_MARGIN_MS)
    // Without Retry-After, a whole window.
    budget.throttled(T0 + 70_000, undefined)
    expect(budget.nextRequestAt(T0 + 70_000, W)).toBe(T0 + 70_000 + W + SAFETY_MARGIN_MS)
  })

  it('knows a re-served body by its newest sample and asks again as soon as its window ends', () => {
    const budget = createPollBudget(W)
    // Fresh answers teach the visible lag: arrival minus newest sample, 2 s at least.
    budget.answered(T0 + 2000, T0)
    budget.answered(T0 + 63_000, T0 + 61_000)
    expect(budget.state().visibleLagMs).toBe(2000)
    // Something else took the window at T0 + 100 s (its body's newest sample is T0 + 98 s): the
    // exporter's request at T0 + 124 s gets that body again.
    budget.answered(T0 + 124_100, T0 + 98_000)
    expect(budget.reservedBodies()).toBe(0)
    // Not older than ours: it is new data, and the window is counted from our arrival.
    expect(budget.nextRequestAt(T0 + 124_000, W)).toBe(T0 + 124_100 + W + SAFETY_MARGIN_MS)
    // The same body once more, inside that window: re-served.
    expect(budget.answered(T0 + 150_000, T0 + 98_000)).toBe('re-served')
    expect(budget.reservedBodies()).toBe(1)
    // Its window began about the visible lag after its newest sample: at T0 + 100 s.
    expect(budget.nextRequestAt(T0 + 150_000, W)).toBe(T0 + 100_000 + W + SAFETY_MARGIN_MS)
    expect(budget.state().refreshPeriodMs).toBeNull()
  })

  it('locks onto an upstream that refreshes on its own clock, every 120 s', () => {
    const PERIOD = 120_000
    const LAG = 4000
    const budget = createPollBudget(W)
    // The upstream's data: refreshed at T0 + k * 120 s, visible LAG later.
    const newestAt = (t: number): number => T0 + Math.floor((t - T0 - LAG) / PERIOD) * PERIOD
    // The first answer arrives 10.3 s after the refresh became visible: the lag learned is 14.3 s.
    let t = T0 + LAG + 10_000
    const kinds: string[] = []
    const phases: number[] = []
    for (let i = 0; i < 12; i++) {
      const arrived = t + 300
      kinds.push(budget.answered(arrived, newestAt(arrived)))
      const next = budget.nextRequestAt(t, W)
      expect(next).toBeGreaterThanOrEqual(arrived + W + SAFETY_MARGIN_MS)
      t = next
      phases.push((t - T0) % PERIOD)
    }
    // Learning costs one body that did not advance; then every request reads new data, at the same
    // point after each refresh (the learned lag plus 0.5 s), one request per refresh.
    expect(kinds.filter((kind) => kind === 're-served')).toHaveLength(1)
    expect(kinds.slice(3)).toEqual(Array(9).fill('fresh'))
    expect(budget.state().refreshPeriodMs).toBe(PERIOD)
    expect(new Set(phases.slice(3))).toEqual(new Set([14_300 + 500]))
  })
})
