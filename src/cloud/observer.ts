import type { ApiErrorReason } from './errors.js'

/**
 * What the API client reports as it works. The engine turns these reports into the exporter's own
 * metrics; the client knows nothing of Prometheus.
 */
export interface ApiObserver {
  /** Once per endpoint before any request, so that error counters can exist at 0. */
  endpointKnown(endpoint: string): void
  /** A request is sent (`retry`: not the first attempt of its call); the result is called when it ends. */
  requestStarted(endpoint: string, retry: boolean): () => void
  requestFailed(endpoint: string, reason: ApiErrorReason): void
  /** Once per configured key before any request. */
  credentialKnown(name: string): void
  /** Whether the key is the one in use; reported for every key whenever that changes. */
  credentialActive(name: string, active: boolean): void
  credentialRefused(name: string): void
  credentialFailover(): void
}

export const SILENT_OBSERVER: ApiObserver = {
  endpointKnown: () => undefined,
  requestStarted: () => () => undefined,
  requestFailed: () => undefined,
  credentialKnown: () => undefined,
  credentialActive: () => undefined,
  credentialRefused: () => undefined,
  credentialFailover: () => undefined
}
