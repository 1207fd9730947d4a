import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/**
 * Lets a rendering of metrics be reused until one of them changes. prom-client has no change
 * notification, so the mutating methods of a tracked metric bump a version kept per registry; the
 * renderer (src/metrics/exposition.ts) keeps its rendering of the tracked metrics while that version
 * stands. A metric that is not tracked is read again for every scrape, so forgetting to track one
 * costs time, never correctness.
 */

const versions = new WeakMap<Registry, { value: number }>()
const tracked = new WeakSet<object>()

function versionOf(registry: Registry): { value: number } {
  let version = versions.get(registry)
  if (version === undefined) {
    version = { value: 0 }
    versions.set(registry, version)
  }
  return version
}

/** Changes of the registry's tracked metrics (and of the set of them) so far. */
export function changeVersion(registry: Registry): number {
  return versions.get(registry)?.value ?? 0
}

/** Whether trackChanges wrapped this metric. */
export function isTracked(metric: object): boolean {
  return tracked.has(metric)
}

type Method = (...args: unknown[]) => unknown

function wrap(target: object, name: string, bump: () => void): void {
  const methods = target as Record<string, Method>
  const original = methods[name]
  if (typeof original !== 'function') throw new TypeError(`prom-client metric has no method ${name}`)
  // An own property: prom-client's labels() binds `this.inc`, `this.set` ... when called, so the
  // bound children go through the wrapper too.
  methods[name] = function (this: unknown, ...args: unknown[]) {
    bump()
    return original.apply(this, args)
  }
}

// The methods that change what get() answers. startTimer is not one: its end function calls
// set (Gauge) or observe (Histogram) through `this`, which are wrapped.
const COUNTER_METHODS = ['inc', 'reset', 'remove']
const GAUGE_METHODS = ['set', 'inc', 'dec', 'setToCurrentTime', 'reset', 'remove']
const HISTOGRAM_METHODS = ['observe', 'zero', 'reset', 'remove']

/**
 * Wraps the metric's mutating methods so that each call bumps the registry's change version. The
 * metric must be registered on `registry` only. Returns the metric, for use at its construction.
 */
export function trackChanges<M extends Counter | Gauge | Histogram>(metric: M, registry: Registry): M {
  const version = versionOf(registry)
  const bump = (): void => {
    version.value += 1
  }
  if (metric instanceof Histogram) {
    for (const name of HISTOGRAM_METHODS) wrap(metric, name, bump)
    // Histogram#labels hands out prom-client's internal observe, not `this.observe` (its startTimer
    // ends through `this.observe`, which is wrapped).
    const labels = metric.labels.bind(metric)
    ;(metric as unknown as { labels: Method }).labels = (...args: unknown[]) => {
      const child = labels(...(args as Parameters<typeof labels>))
      wrap(child, 'observe', bump)
      return child
    }
  } else if (metric instanceof Gauge) {
    for (const name of GAUGE_METHODS) wrap(metric, name, bump)
  } else if (metric instanceof Counter) {
    for (const name of COUNTER_METHODS) wrap(metric, name, bump)
  } else {
    throw new TypeError('trackChanges takes a prom-client Counter, Gauge or Histogram')
  }
  tracked.add(metric)
  // A metric new to the registry changes the rendering too.
  bump()
  return metric
}
