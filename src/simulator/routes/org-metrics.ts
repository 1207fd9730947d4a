import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { renderChunks } from '../org-metrics/render.js'
import type { OrgMetricsOutcome, SimulatorState } from '../state.js'
import { sendError } from './errors.js'

export const ORG_METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/**
 * GET /api/v2/organizations/{org}/metrics/prometheus/: one fresh body per organization per window (one
 * minute, counted from the last fresh answer); a request inside the window gets the same body again
 * (200) or a 429 whose Retry-After is the rest of the window in whole seconds, rounded up. Every
 * request is logged (state.orgMetricsRequests) so that tests can count the requests inside a window.
 */
export function registerOrgMetricsRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get<{ Params: { organization_id: string } }>(
    '/api/v2/organizations/:organization_id/metrics/prometheus/',
    async (request, reply) => {
      const organizationId = request.params.organization_id
      if (state.organization(organizationId) === undefined) return sendError(reply, 404)
      const now = state.clock.now()
      let snapshot = state.lastServedSnapshot(organizationId)
      const window = state.settings.rateLimitWindowMs
      const record = (outcome: OrgMetricsOutcome, retryAfterSeconds?: number): void =>
        state.recordOrgMetricsRequest({
          atMs: now,
          organizationId,
          outcome,
          freshAtMs: snapshot?.atMs ?? null,
          ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds })
        })
      // Only a fresh answer starts a window: re-served and throttled requests do not move it.
      if (snapshot !== undefined && now - snapshot.atMs < window) {
        if (state.settings.rateLimit === '429') {
          const remainingMs = window - (now - snapshot.atMs)
          const realMs = state.clock.speed > 0 ? remainingMs / state.clock.speed : remainingMs
          const retryAfterSeconds = Math.max(1, Math.ceil(realMs / 1000))
          record('throttled', retryAfterSeconds)
          reply.header('retry-after', String(retryAfterSeconds))
          return sendError(reply, 429, 'Rate limit exceeded: one request per minute per organization.')
        }
        record('re-served')
      } else {
        const fresh = state.snapshotOrg(organizationId, now)
        if (fresh === null) {
          record('no-content')
          return reply.code(204).send()
        }
        state.recordServed(fresh)
        snapshot = fresh
        record('fresh')
      }
      return reply
        .type(ORG_METRICS_CONTENT_TYPE)
        .send(Readable.from(renderChunks(snapshot), { objectMode: false, highWaterMark: 256 * 1024 }))
    }
  )
}
