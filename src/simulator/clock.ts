import type { Clock } from '../clock.js'

/**
 * The simulator's time. Real time by default, accelerated (N simulated seconds per real second) for
 * soak tests, or manual (moves only when advanced) for tests. Every kind can be moved forward.
 */
export interface SimulatorClock extends Clock {
  readonly kind: 'real' | 'accelerated' | 'manual'
  /** Simulated seconds per real second (0 for a manual clock). */
  readonly speed: number
  /** Moves the clock forward; never backward. */
  advance(ms: number): void
}

export interface SimulatorClockOptions {
  /** Default 1 (real time). */
  speed?: number
  /** A clock that moves only through advance(). */
  manual?: boolean
  /** Start time of a manual clock (ms since epoch); default: now. */
  startMs?: number
  /** Source of real time, for tests of the accelerated clock. */
  realNow?: () => number
}

export function createSimulatorClock(options: SimulatorClockOptions = {}): SimulatorClock {
  const realNow = options.realNow ?? Date.now
  const origin = options.startMs ?? realNow()
  let offset = 0
  const advance = (ms: number): void => {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms} ms`)
    offset += ms
  }
  if (options.manual === true) return { kind: 'manual', speed: 0, now: () => origin + offset, advance }
  const speed = options.speed ?? 1
  if (!Number.isFinite(speed) || speed <= 0)
    throw new RangeError(`clock speed must be positive, got ${speed}`)
  const realStart = realNow()
  if (speed === 1) return { kind: 'real', speed, now: () => realNow() + offset, advance }
  return {
    kind: 'accelerated',
    speed,
    now: () => Math.floor(origin + (realNow() - realStart) * speed + offset),
    advance
  }
}
