import type { ApiObserver } from '../cloud/observer.js'
import type { SelfMetrics } from '../metrics/self-metrics.js'

/** The API client's reports as the exporter's own metrics. */
export function apiMetricsObserver(metrics: SelfMetrics): ApiObserver {
  return {
    // Alerts use increase() on these: the series must exist at 0 before the first auth or throttling error.
    endpointKnown(endpoint) {
      for (const reason of ['auth', 'throttled'] as const) metrics.apiErrors.inc({ endpoint, reason }, 0)
    },
    requestStarted(endpoint, retry) {
      metrics.apiRequests.inc({ endpoint })
      if (retry) metrics.apiRetries.inc({ endpoint })
      return metrics.apiRequestDuration.startTimer({ endpoint })
    },
    requestFailed(endpoint, reason) {
      metrics.apiErrors.inc({ endpoint, reason })
    },
    // Present from the start at 0, so that increase() sees the first refusal of a key.
    credentialKnown(name) {
      metrics.credentialFailures.inc({ credential: name }, 0)
    },
    credentialActive(name, active) {
      metrics.credentialActive.set({ credential: name }, active ? 1 : 0)
    },
    credentialRefused(name) {
      metrics.credentialFailures.inc({ credential: name })
    },
    credentialFailover() {
      metrics.credentialFailovers.inc()
    }
  }
}
