import type { FastifyPluginCallback } from 'fastify'
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from '../../metrics/exposition.js'
import type { SelfMetrics } from '../../metrics/self-metrics.js'
import type { GzipCache } from '../gzip-cache.js'
import { acceptsGzip, negotiateFormat } from '../negotiation.js'
import type { ExporterView } from '../types.js'

export interface TelemetryRouteOptions {
  readonly view: ExporterView
  readonly telemetryPath: string
  readonly selfMetrics: SelfMetrics
  readonly gzip: GzipCache
}

/**
 * Serves the latest rendering as it is: a scrape never calls the API, never renders, and gzips a
 * rendering at most once per format (the cache is keyed on the rendering's Buffers).
 */
export const telemetryRoutes: FastifyPluginCallback<TelemetryRouteOptions> = (app, options, done) => {
  app.get(options.telemetryPath, async (request, reply) => {
    const exposition = options.view.exposition()
    const format = negotiateFormat(request.headers.accept)
    const plain = format === 'openmetrics' ? exposition.openMetrics : exposition.text
    reply
      .header('Content-Type', format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE)
      .header('Vary', 'Accept, Accept-Encoding')
      .header('Cache-Control', 'no-store')
    if (request.method === 'GET') options.selfMetrics.scrapes.inc({ format })
    if (!acceptsGzip(request.headers['accept-encoding'])) return reply.send(plain)
    const compressed = await options.gzip.get(plain)
    return reply.header('Content-Encoding', 'gzip').send(compressed)
  })
  done()
}
