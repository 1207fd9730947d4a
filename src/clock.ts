/** Source of wall-clock time, injected so that tests and the simulator's accelerated clock can drive it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

/** What a timer set through a TimerClock is: only ever handed back to its clearTimeout. */
export type TimerHandle = object

/**
 * A clock that owns the timers too. The engine schedules only through it, so that a test can move time
 * itself (many poll cycles in no real time) instead of waiting.
 */
export interface TimerClock extends Clock {
  /** Calls `callback` once after `ms`; the timer never keeps the process alive by itself. */
  setTimeout(callback: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms)
    timer.unref()
    return timer
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout)
}
