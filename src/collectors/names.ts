/** Every collector the exporter has; an unknown name in the configuration is an error. */
export const COLLECTOR_NAMES = ['inventory', 'org_metrics', 'quotas', 'consumption'] as const

export type CollectorName = (typeof COLLECTOR_NAMES)[number]

export interface CollectorDefaults {
  readonly enabled: boolean
  readonly intervalSeconds: number
  readonly timeoutSeconds: number
  /** Smallest interval accepted without a warning (the API's own limit). */
  readonly minIntervalSeconds: number
  readonly description: string
}

export const COLLECTOR_DEFAULTS: Readonly<Record<CollectorName, CollectorDefaults>> = {
  inventory: {
    enabled: true,
    intervalSeconds: 60,
    timeoutSeconds: 30,
    minIntervalSeconds: 10,
    description: 'organizations, projects and clusters: metadata, capacity, health, suspension, operations'
  },
  org_metrics: {
    enabled: true,
    intervalSeconds: 60,
    timeoutSeconds: 50,
    minIntervalSeconds: 60,
    description:
      'per node and cluster CPU, memory, heap, storage used, queries, readiness from the organization Prometheus endpoint'
  },
  quotas: {
    enabled: false,
    intervalSeconds: 300,
    timeoutSeconds: 30,
    minIntervalSeconds: 60,
    description: 'organization quotas'
  },
  consumption: {
    enabled: false,
    intervalSeconds: 3600,
    timeoutSeconds: 30,
    minIntervalSeconds: 300,
    description: 'current-month cost and credits'
  }
}
