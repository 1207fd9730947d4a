import type { TimerClock, TimerHandle } from '../../src/clock.js'

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

interface Entry {
  readonly at: number
  readonly order: number
  readonly callback: () => void
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
  let now = startMs
  let order = 0
  const timers = new Map<TimerHandle, Entry>()
  // setImmediate runs after every pending promise job and I/O callback, without moving any clock.
  const settle = async (): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve))
    if (options.idle !== undefined) await options.idle()
  }
  const next = (until: number): [TimerHandle, Entry] | undefined => {
    let best: [TimerHandle, Entry] | undefined
    for (const pair of timers) {
      const entry = pair[1]
      if (entry.at > until) continue
      if (
        best === undefined ||
        entry.at < best[1].at ||
        (entry.at === best[1].at && entry.order < best[1].order)
      )
        best = pair
    }
    return best
  }
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const handle = {}
      timers.set(handle, { at: now + Math.max(0, ms), order: order++, callback })
      return handle
    },
    clearTimeout(handle) {
      timers.delete(handle)
    },
    async advance(ms) {
      const until = now + ms
      await settle()
      for (let fired = 0; ; fired++) {
        if (fired === MAX_TIMERS_PER_ADVANCE) throw new Error(`more than ${fired} timers in one advance`)
        const due = next(until)
        if (due === undefined) break
        timers.delete(due[0])
        now = due[1].at
        due[1].callback()
        await settle()
      }
      now = until
      await settle()
    },
    pending: () => timers.size
  }
}
