/** Source of wall-clock time, injected so that tests and the simulator's accelerated clock can drive it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }
