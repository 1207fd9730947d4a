/**
 * Storage forecasts from the exporter's own poll history, so that the autopilot needs no Prometheus.
 * The same arithmetic as the recording rules of prometheus/rules/cratedb-cloud-forecast.yml: a
 * least-squares line over a window (predict_linear / deriv), and the time at which it reaches a limit.
 */

export interface Point {
  /** Sample time, ms since the epoch (the upstream sample's own timestamp, not the poll's). */
  readonly t: number
  readonly v: number
}

export interface LinearFit {
  /** Change per second. */
  readonly slope: number
  /** The fitted value at `at`. */
  readonly value: number
  readonly at: number
}

/** Least-squares line through the points, evaluated at `at`; null with fewer than two distinct times. */
export function linearFit(points: readonly Point[], at: number): LinearFit | null {
  if (points.length < 2) return null
  // Centred on the first point's time, in seconds, to keep the sums small and exact enough.
  const t0 = points[0]?.t ?? 0
  let n = 0
  let sumX = 0
  let sumY = 0
  let sumXY = 0
  let sumXX = 0
  for (const p of points) {
    const x = (p.t - t0) / 1000
    n++
    sumX += x
    sumY += p.v
    sumXY += x * p.v
    sumXX += x * x
  }
  const denominator = n * sumXX - sumX * sumX
  if (denominator === 0) return null
  const slope = (n * sumXY - sumX * sumY) / denominator
  const intercept = (sumY - slope * sumX) / n
  return { slope, value: intercept + slope * ((at - t0) / 1000), at }
}

/**
 * Seconds from `at` until the fitted line reaches `limit`: 0 when the fit is already there, null when
 * the series does not grow or there is too little history.
 */
export function secondsUntil(points: readonly Point[], limit: number, at: number): number | null {
  const fit = linearFit(points, at)
  if (fit === null || !(fit.slope > 0)) return null
  return Math.max(0, (limit - fit.value) / fit.slope)
}

export interface HistoryOptions {
  /** Points older than this (relative to the newest) are dropped: the forecast window. */
  readonly windowMs: number
  /** At most this many points per series, the oldest dropped first. */
  readonly maxPoints: number
}

/**
 * Bounded per-series history: at most maxPoints points per series, none older than the window, and
 * only the series last seen are kept (a node or cluster that disappears is forgotten).
 */
export interface SeriesHistory {
  /** Adds a point; a point not newer than the series' last one (a re-served body) is ignored. */
  add(key: string, point: Point): void
  points(key: string): readonly Point[]
  /** Forgets every series whose key is not in `keep`. */
  retain(keep: ReadonlySet<string>): void
  /** Forgets one series (after an expansion, the old trend no longer says anything about the disk). */
  forget(key: string): void
  keys(): string[]
  size(): number
}

export function createSeriesHistory(options: HistoryOptions): SeriesHistory {
  const series = new Map<string, Point[]>()
  return {
    add(key, point) {
      let list = series.get(key)
      if (list === undefined) {
        list = []
        series.set(key, list)
      }
      const last = list[list.length - 1]
      if (last !== undefined && point.t <= last.t) return
      list.push(point)
      const oldest = point.t - options.windowMs
      let drop = 0
      while (drop < list.length && (list[drop]?.t ?? 0) < oldest) drop++
      drop = Math.max(drop, list.length - options.maxPoints)
      if (drop > 0) list.splice(0, drop)
    },
    points: (key) => series.get(key) ?? [],
    retain(keep) {
      for (const key of series.keys()) if (!keep.has(key)) series.delete(key)
    },
    forget: (key) => void series.delete(key),
    keys: () => [...series.keys()],
    size: () => series.size
  }
}
