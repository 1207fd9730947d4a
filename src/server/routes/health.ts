import type { FastifyPluginCallback } from 'fastify'
import type { ExporterView, StatusReport } from '../../engine/view.js'

export interface HealthRouteOptions {
  readonly view: ExporterView
}

const DEFAULT_RETRY_SECONDS = 5
const MAX_RETRY_SECONDS = 60

/** Seconds until the soonest scheduled poll, which is when readiness can next change. */
export function retryAfterSeconds(status: StatusReport): number {
  const upcoming = status.collectors
    .map((collector) => collector.nextRunAt)
    .filter((at): at is number => at !== null && at > status.now)
  if (upcoming.length === 0) return DEFAULT_RETRY_SECONDS
  const seconds = Math.ceil((Math.min(...upcoming) - status.now) / 1000)
  return Math.min(Math.max(seconds, 1), MAX_RETRY_SECONDS)
}

export const healthRoutes: FastifyPluginCallback<HealthRouteOptions> = (app, { view }, done) => {
  app.get('/healthz', (_request, reply) => {
    reply.header('Cache-Control', 'no-store').type('text/plain; charset=utf-8')
    if (view.alive()) return reply.send('ok\n')
    return reply.code(503).send('not alive: a poll loop has stopped\n')
  })

  app.get('/readyz', (_request, reply) => {
    reply.header('Cache-Control', 'no-store').type('text/plain; charset=utf-8')
    if (view.ready()) return reply.send('ready\n')
    const status = view.status()
    const reason = status.problem ?? 'waiting for the first complete collection'
    return reply
      .code(503)
      .header('Retry-After', String(retryAfterSeconds(status)))
      .send(`not ready: ${reason}\n`)
  })
  done()
}
