import { createSteppedClock } from '../../bench/lib/simulated-time.js'
import type { TimerClock } from '../../src/clock.js'

/** A clock whose time moves only through advance(): timers fire in order, no real waiting. */
export interface FakeClock extends TimerClock {
  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, in order of due time,
   * and letting promises settle after each, so that the work a timer starts can set the next one.
   */
  advance(ms: number): Promise<void>
  /** Timers set and not yet fired or cleared. */
  pending(): number
}

/** Far more timers than any test fires; reaching it means a timer loop that never lets time pass. */
const MAX_TIMERS_PER_ADVANCE = 100_000

export interface FakeClockOptions {
  /**
   * Awaited after every timer, before time moves on: work that waits on something real (a request on
   * a loopback socket) finishes at the fake time it started.
   */
  readonly idle?: () => Promise<void>
}

export function createFakeClock(startMs = 1_000_000, options: FakeClockOptions = {}): FakeClock {
  return createSteppedClock(startMs, {
    ...(options.idle === undefined ? {} : { idle: options.idle }),
    maxTimersPerAdvance: MAX_TIMERS_PER_ADVANCE
  })
}
