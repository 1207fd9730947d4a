import type { FastifyPluginCallback, FastifyReply } from 'fastify'
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from '../../metrics/exposition.js'
import type { SelfMetrics } from '../../metrics/self-metrics.js'
import { gzipMember, type GzipCache } from '../gzip-cache.js'
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
export function sendParts(reply: FastifyReply, parts: readonly (readonly Buffer[])[], head: boolean): void {
  let length = 0
  for (const list of parts) for (const part of list) length += part.length
  reply.header('Content-Length', length)
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
  for (const list of parts) for (const part of list) response.write(part)
  response.end()
}

/**
 * Serves the latest rendering of the collectors' families as it is, followed by the exporter's own
 * metrics as they are at this scrape: a scrape never calls the API, never renders the cluster data,
 * and gzips each rendering, and each stable part of the self metrics, at most once per format (the
 * caches are keyed on the Buffers); only the scrape counter's few lines are new per scrape, appended
 * to the cached compressed parts in stored blocks.
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
    // Counted before the self metrics are rendered, so that a scrape sees itself counted.
    if (request.method === 'GET') options.selfMetrics.scrapes.inc({ format })
    const head = request.method === 'HEAD'
    if (!acceptsGzip(request.headers['accept-encoding'])) {
      const self = await options.view.selfMetrics(format)
      sendParts(reply, [plain.parts, [self.stable, self.live]], head)
      return reply
    }
    const [prefix, self] = await Promise.all([options.gzip.get(plain), options.view.selfMetrics(format)])
    reply.header('Content-Encoding', 'gzip')
    sendParts(reply, [gzipMember(prefix, [options.gzip.piece(self.stable)], self.live)], head)
    return reply
  })
  done()
}
