import type { FastifyInstance } from 'fastify'
import {
  buildSimulatorApp,
  createSimulatorClock,
  createSimulatorState,
  type SimulatorStateOptions
} from '../../../src/simulator/index.js'

export const START_MS = Date.UTC(2026, 4, 13, 10, 0, 0)

export function basic(key: string, secret: string): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`
}

/** A simulator app on a manual clock, with helpers to call it as an authenticated client. */
export function createFixture(options: SimulatorStateOptions = {}) {
  const clock = createSimulatorClock({ manual: true, startMs: START_MS })
  const state = createSimulatorState({ seed: 11, clock, ...options })
  const app: FastifyInstance = buildSimulatorApp(state, { adminToken: 'admin-secret' })
  const credential = state.credentials()[0]!
  const authorization = basic(credential.key, credential.secret)
  const get = (url: string, headers: Record<string, string> = { authorization }) =>
    app.inject({ url, headers })
  const send = (method: 'PUT' | 'POST' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization }, ...(payload === undefined ? {} : { payload }) })
  const admin = (method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH', url: string, payload?: object) =>
    app.inject({
      method,
      url: `/_simulator${url}`,
      headers: { authorization: 'Bearer admin-secret' },
      ...(payload === undefined ? {} : { payload })
    })
  const orgMetricsUrl = (orgId: string): string => `/api/v2/organizations/${orgId}/metrics/prometheus/`
  const clusterNamed = (name: string) => {
    const found = state.clusters().find((c) => c.name === name)
    if (found === undefined) throw new Error(`no cluster ${name}`)
    return found
  }
  return { clock, state, app, credential, authorization, get, send, admin, orgMetricsUrl, clusterNamed }
}
