import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { renderChunks } from '../org-metrics/render.js'
import type { SimulatorState } from '../state.js'
import { sendError } from './errors.js'

export const ORG_METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/**
 * GET /api/v2/organizations/{org}/metrics/prometheus/: one fresh body per organization per window (one
 * minute); a request inside the window gets the same body again (200) or a 429 with Retry-After.
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
      if (snapshot !== undefined && now - snapshot.atMs < window) {
        if (state.settings.rateLimit === '429') {
          const remainingMs = window - (now - snapshot.atMs)
          const realMs = state.clock.speed > 0 ? remainingMs / state.clock.speed : remainingMs
          reply.header('retry-after', String(Math.max(1, Math.ceil(realMs / 1000))))
          return sendError(reply, 429, 'Rate limit exceeded: one request per minute per organization.')
        }
      } else {
        const fresh = state.snapshotOrg(organizationId, now)
        if (fresh === null) return reply.code(204).send()
        state.recordServed(fresh)
        snapshot = fresh
      }
      return reply
        .type(ORG_METRICS_CONTENT_TYPE)
        .send(Readable.from(renderChunks(snapshot), { objectMode: false, highWaterMark: 256 * 1024 }))
    }
  )
}
