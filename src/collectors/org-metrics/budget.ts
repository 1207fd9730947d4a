/**
 * The request budget of one organization's metrics endpoint: one request per rate-limit window,
 * counted by the API from the last request it answered fresh. The budget decides when the next request
 * goes out; the collector tells it what each answer was.
 *
 * Every time here is the exporter's own clock, taken when the answer had arrived whole. The API
 * answered before that moment, so a window counted from it ends no earlier than the API's own, whatever
 * the request's latency. SAFETY_MARGIN_MS covers what that does not: the API's clock running a little
 * faster than ours over a minute, and an API that books the answer a moment after sending it. One
 * second is far above both and costs one second of data age per cycle. A shorter window (a
 * simulator in tests) gets the same share of it, 1/60.
 */
export const SAFETY_MARGIN_MS = 1000

/** The margin added to a window of `windowMs`. */
export function safetyMarginMs(windowMs: number): number {
  return Math.min(SAFETY_MARGIN_MS, windowMs / 60)
}

/** A refresh is expected this long after the time learned for it, so that the request comes just after. */
const REFRESH_SLACK_MS = 500
/** Steps of the newest sample timestamp remembered to learn the upstream refresh period. */
const STEPS_KEPT = 8

export type AnswerKind = 'fresh' | 're-served'

export interface PollBudget {
  /**
   * A 200 or 204 answer, read whole at `at`, whose newest sample is `newestSampleMs` (null without
   * samples). A body whose newest sample did not advance is not new data: 're-served'.
   */
  answered(at: number, newestSampleMs: number | null): AnswerKind
  /** A 429 at `at`, with its Retry-After in seconds when it had one. */
  throttled(at: number, retryAfterSeconds: number | undefined): void
  /** Any other failed request; the API may have counted it, so it starts a window too. */
  failed(at: number): void
  /** When the next request may go out, given when the run started and the configured interval. */
  nextRequestAt(runStartedAt: number, intervalMs: number): number
  /** Bodies seen whose newest sample did not advance. */
  reservedBodies(): number
  /** What the budget has learned, for the status page and tests. */
  state(): BudgetState
}

export interface BudgetState {
  /** Earliest time of the next request the window allows, margin included; null before any answer. */
  readonly windowOpensAt: number | null
  /** Answer arrival minus newest sample, smallest seen: the upstream lag plus the way back. */
  readonly visibleLagMs: number | null
  /**
   * The upstream refresh period, once the data has been seen not to advance although the window was
   * open (the upstream refreshes on its own clock); null while the data refreshes when asked.
   */
  readonly refreshPeriodMs: number | null
}

export function createPollBudget(windowMs: number): PollBudget {
  const margin = safetyMarginMs(windowMs)
  let windowOpensAt: number | null = null
  let newestMs: number | null = null
  let visibleLagMs: number | null = null
  let reserved = 0
  /** Set by an answer that may not come at the next window: Retry-After, or a window learned from a re-served body. */
  let fixedNext: number | null = null
  let upstreamOwnClock = false
  const steps: number[] = []
  let lastKind: AnswerKind | 'failed' | null = null

  const refreshPeriodMs = (): number | null =>
    upstreamOwnClock && steps.length > 0 ? Math.min(...steps) : null

  return {
    answered(at, newestSampleMs) {
      const wasOpen = windowOpensAt === null || at >= windowOpensAt
      if (newestSampleMs !== null && newestMs !== null && newestSampleMs <= newestMs) {
        reserved++
        lastKind = 're-served'
        // The body the API serves came with its window: it was answered fresh about the visible lag
        // after its newest sample, and the window ends one window after that.
        const freshAt = newestSampleMs + (visibleLagMs ?? 0)
        const windowEnd = freshAt + windowMs + margin
        if (windowEnd > at) {
          fixedNext = windowEnd
        } else {
          // Old data though the window had run out: the upstream had not refreshed, and this answer
          // may have started a window of its own.
          if (wasOpen) upstreamOwnClock = true
          fixedNext = null
          windowOpensAt = at + windowMs + margin
        }
        return 're-served'
      }
      if (newestSampleMs !== null) {
        if (newestMs !== null) {
          steps.push(newestSampleMs - newestMs)
          if (steps.length > STEPS_KEPT) steps.shift()
        }
        newestMs = newestSampleMs
        const lag = at - newestSampleMs
        visibleLagMs = visibleLagMs === null ? lag : Math.min(visibleLagMs, lag)
      }
      lastKind = 'fresh'
      fixedNext = null
      windowOpensAt = at + windowMs + margin
      return 'fresh'
    },
    throttled(at, retryAfterSeconds) {
      lastKind = 'failed'
      // Retry-After is the rest of the window in whole seconds, rounded up: the next request goes out
      // once, just after it, and the window it opens is counted from that answer.
      const wait = retryAfterSeconds === undefined ? windowMs : retryAfterSeconds * 1000
      fixedNext = at + wait + margin
      windowOpensAt = fixedNext
    },
    failed(at) {
      lastKind = 'failed'
      fixedNext = null
      windowOpensAt = at + windowMs + margin
    },
    nextRequestAt(runStartedAt, intervalMs) {
      if (fixedNext !== null) return fixedNext
      const opens = windowOpensAt ?? runStartedAt
      // An interval longer than the window is the operator's choice of fewer requests.
      let next = intervalMs > windowMs + margin ? Math.max(opens, runStartedAt + intervalMs) : opens
      const period = refreshPeriodMs()
      if (lastKind === 'fresh' && period !== null && newestMs !== null && visibleLagMs !== null) {
        // The upstream refreshes on its own clock: go just after the first refresh the window allows,
        // not at the window's start, which would read the same data again and spend a window on it.
        let refresh = newestMs + visibleLagMs + REFRESH_SLACK_MS
        while (refresh < next) refresh += period
        next = refresh
      }
      return next
    },
    reservedBodies: () => reserved,
    state: () => ({ windowOpensAt, visibleLagMs, refreshPeriodMs: refreshPeriodMs() })
  }
}
