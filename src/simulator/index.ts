import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { Logger } from '../logger.js'
import { buildSimulatorApp } from './app.js'
import { createRequestLog, type RequestLog } from './request-log.js'
import { createSimulatorState, type SimulatorState, type SimulatorStateOptions } from './state.js'

export { buildSimulatorApp, type SimulatorAppDeps } from './app.js'
export { createSimulatorClock, type SimulatorClock, type SimulatorClockOptions } from './clock.js'
export {
  parseFaultRule,
  parseFaultAction,
  FaultSpecError,
  type FaultAction,
  type FaultRule
} from './faults.js'
export type { OrgMetricsTruth, NodeTruth, QueryTruth } from './org-metrics/snapshot.js'
export type { ApiRequestRecord, RequestLog } from './request-log.js'
export { ADMIN_PREFIX } from './routes/admin.js'
export { METRIC_IDS } from './routes/cluster-metrics.js'
export { ORG_METRICS_CONTENT_TYPE } from './routes/org-metrics.js'
export type { ScenarioSpec } from './scenario.js'
export {
  createSimulatorState,
  DEFAULT_SETTINGS,
  type CreateClusterInput,
  type Credential,
  type OrgMetricsOutcome,
  type OrgMetricsRequest,
  type SimulatorSettings,
  type SimulatorState,
  type SimulatorStateOptions
} from './state.js'
export type { SimCluster, SimNode, SimOrganization, SimProject } from './types.js'

export interface SimulatorOptions extends SimulatorStateOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0 (an ephemeral port). */
  port?: number
  /** Bearer token of the /_simulator/ admin API; default: random. */
  adminToken?: string
  logger?: Logger
}

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string
  state: SimulatorState
  adminToken: string
  /** Key and path of every /api/ request so far. */
  requestLog: RequestLog
  close(): Promise<void>
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const state = createSimulatorState(options)
  const adminToken = options.adminToken ?? randomBytes(24).toString('base64url')
  const requestLog = createRequestLog()
  const app = buildSimulatorApp(state, {
    adminToken,
    requestLog,
    ...(options.logger === undefined ? {} : { logger: options.logger })
  })
  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 })
  const address = app.server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    state,
    adminToken,
    requestLog,
    close: async () => {
      await app.close()
    }
  }
}
