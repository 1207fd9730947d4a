import { pino } from 'pino'
import { Registry } from 'prom-client'
import { MockAgent, type Interceptable } from 'undici'
import { afterEach, beforeEach, expect } from 'vitest'
import { createCloudClient, type CloudClientDeps } from '../../../src/cloud/client.js'
import { CloudApiError } from '../../../src/cloud/errors.js'
import { systemClock } from '../../../src/clock.js'
import { apiMetricsObserver } from '../../../src/engine/api-metrics.js'
import { createSelfMetrics, type SelfMetrics } from '../../../src/metrics/self-metrics.js'

/** The API origin the cloud client tests intercept. */
export const ORIGIN = 'https://console.cratedb.cloud'

export interface MockCloud {
  /** This test's agent: network disabled, call history on, every interceptor used by the end. */
  readonly agent: MockAgent
  /** This test's self metrics, in a registry of their own. */
  readonly metrics: SelfMetrics
  /** A client on the agent: the shared settings, then the file's defaults, then `overrides`. */
  readonly client: (overrides?: Partial<CloudClientDeps>) => ReturnType<typeof createCloudClient>
  /** The agent's interceptors for ORIGIN. */
  readonly pool: () => Interceptable
}

/**
 * Installs beforeEach/afterEach hooks that give every test a fresh MockAgent and self metrics; call it
 * once at the top of a test file.
 */
export function useMockCloud(defaults: Partial<CloudClientDeps> = {}): MockCloud {
  let agent: MockAgent | undefined
  let metrics: SelfMetrics | undefined

  beforeEach(() => {
    agent = new MockAgent({ enableCallHistory: true })
    agent.disableNetConnect()
    metrics = createSelfMetrics({ registry: new Registry(), version: 'test', revision: 'test' })
  })

  afterEach(async () => {
    agent?.assertNoPendingInterceptors()
    await agent?.close()
  })

  const current = () => {
    if (agent === undefined || metrics === undefined) throw new Error('useMockCloud: used outside a test')
    return { agent, metrics }
  }

  return {
    get agent() {
      return current().agent
    },
    get metrics() {
      return current().metrics
    },
    client: (overrides = {}) => {
      const { agent, metrics } = current()
      return createCloudClient({
        baseUrl: ORIGIN,
        credentials: [{ name: 'main', key: { value: 'k' }, secret: { value: 's' } }],
        requestTimeoutMs: 2000,
        maxResponseBytes: 65536,
        maxConcurrency: 2,
        dispatcher: agent,
        logger: pino({ level: 'silent' }),
        observer: apiMetricsObserver(metrics),
        clock: systemClock,
        ...defaults,
        ...overrides
      })
    },
    pool: () => current().agent.get(ORIGIN)
  }
}

/** The CloudApiError `promise` rejects with; fails the test when it resolves or rejects otherwise. */
export async function failure(promise: Promise<unknown>): Promise<CloudApiError> {
  const error: unknown = await promise.then(
    () => new Error('expected a failure'),
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(CloudApiError)
  return error as CloudApiError
}

/** Value of the series of a prom-client metric with exactly `labels`; 0 when there is none. */
export async function metricValue(
  metric: { get(): Promise<{ values: { labels: object; value: number }[] }> },
  labels = {}
): Promise<number> {
  const { values } = await metric.get()
  return values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value ?? 0
}
