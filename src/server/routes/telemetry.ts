import type { FastifyPluginCallback, FastifyReply } from 'fastify'
import type { ExpositionBody } from '../../metrics/body.js'
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from '../../metrics/exposition.js'
import type { SelfMetrics } from '../../metrics/self-metrics.js'
import type { GzipCache } from '../gzip-cache.js'
import { acceptsGzip, negotiateFormat } from '../negotiation.js'
import type { ExporterView } from '../../engine/view.js'

export interface TelemetryRouteOptions {
  readonly view: ExporterView
  readonly telemetryPath: string
  readonly selfMetrics: SelfMetrics
  readonly gzip: GzipCache
}

/**
 * Writes the parts of a body as they are, corked so that they leave in one writev: none is copied or
 * joined. (A stream would be throttled by the socket's 16 KiB high-water mark and go back to the event
 * loop for every part; reply.send needs one Buffer.) onResponse hooks still run after a hijacked reply.
 */
export function sendParts(reply: FastifyReply, body: ExpositionBody, head: boolean): void {
  reply.header('Content-Length', body.byteLength)
  reply.hijack()
  const response = reply.raw
  for (const [name, value] of Object.entries(reply.getHeaders()))
    if (value !== undefined) response.setHeader(name, value)
  response.writeHead(reply.statusCode)
  if (head) {
    response.end()
    return
  }
  response.cork()
  for (const part of body.parts) response.write(part)
  response.end()
}

/**
 * Serves the latest rendering as it is: a scrape never calls the API, never renders, and gzips a
 * rendering at most once per format (the cache is keyed on the rendering's bodies).
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
    if (!acceptsGzip(request.headers['accept-encoding'])) {
      sendParts(reply, plain, request.method === 'HEAD')
      return reply
    }
    const compressed = await options.gzip.get(plain)
    return reply.header('Content-Encoding', 'gzip').send(compressed)
  })
  done()
}
