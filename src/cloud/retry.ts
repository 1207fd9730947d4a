/**
 * Retry timing for the API client: exponential backoff with full jitter, Retry-After parsing, and
 * abortable sleeps. Deadlines travel as AbortSignals; a signal made by createDeadlineSignal also carries
 * its deadline, so the client can tell whether a wait still fits before starting it.
 */
import type { Clock, TimerClock } from '../clock.js'

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  readonly maxAttempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** A longer Retry-After fails the call at once (reason throttled), even without a known deadline. */
  readonly maxRetryAfterMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000
}

/** Full jitter: a uniform wait between 0 and min(max, base * 2^retry) (retry counts from 0). */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry)
  return Math.floor(random() * ceiling)
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. Never negative. */
export function parseRetryAfterMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined
  return Math.max(0, date - nowMs)
}

const deadlines = new WeakMap<AbortSignal, number>()

/**
 * An AbortSignal that aborts after `timeoutMs` (or with `parent`), and whose deadline the client can read
 * with remainingMs(). Collectors should make their run deadline with this.
 */
export function createDeadlineSignal(
  timeoutMs: number,
  clock: TimerClock,
  parent?: AbortSignal
): AbortSignal {
  // Not AbortSignal.timeout(): once garbage-collected, a timeout signal that only AbortSignal.any() refers to
  // never fires (Node 20), and the run would outlive its deadline. The timer holds this controller.
  const controller = new AbortController()
  clock.setTimeout(
    () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    Math.max(0, timeoutMs)
  )
  const timeout = controller.signal
  const signal = parent === undefined ? timeout : AbortSignal.any([parent, timeout])
  const parentDeadline = parent === undefined ? undefined : deadlines.get(parent)
  const own = clock.now() + timeoutMs
  deadlines.set(signal, parentDeadline === undefined ? own : Math.min(own, parentDeadline))
  return signal
}

/** Milliseconds left before the signal's deadline; Infinity when it carries none, 0 once aborted. */
export function remainingMs(signal: AbortSignal, clock: Clock): number {
  if (signal.aborted) return 0
  const deadline = deadlines.get(signal)
  return deadline === undefined ? Infinity : Math.max(0, deadline - clock.now())
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error)
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason as Error)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    timer.unref()
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** A counting semaphore bounding the requests in flight; waiting gives up when the signal aborts. */
export interface Semaphore {
  acquire(signal: AbortSignal): Promise<() => void>
}

export function createSemaphore(limit: number): Semaphore {
  let active = 0
  const waiting: (() => void)[] = []
  const release = (): void => {
    const next = waiting.shift()
    if (next === undefined) active--
    else next()
  }
  return {
    acquire(signal) {
      if (active < limit) {
        active++
        return Promise.resolve(once(release))
      }
      return new Promise((resolve, reject) => {
        const grant = (): void => {
          signal.removeEventListener('abort', onAbort)
          resolve(once(release))
        }
        const onAbort = (): void => {
          const index = waiting.indexOf(grant)
          if (index !== -1) waiting.splice(index, 1)
          reject(signal.reason as Error)
        }
        if (signal.aborted) {
          reject(signal.reason as Error)
          return
        }
        waiting.push(grant)
        signal.addEventListener('abort', onAbort, { once: true })
      })
    }
  }
}

function once(fn: () => void): () => void {
  let done = false
  return () => {
    if (done) return
    done = true
    fn()
  }
}
