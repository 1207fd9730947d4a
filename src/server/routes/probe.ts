import type { FastifyPluginCallback } from 'fastify'
import type { ExporterView } from '../../engine/view.js'
import { ExpositionBody } from '../../metrics/body.js'
import { clusterBodies } from '../../metrics/cluster-slices.js'
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from '../../metrics/exposition.js'
import { formatValue } from '../../metrics/render-model.js'
import { OPENMETRICS_EOF } from '../../metrics/render-openmetrics.js'
import type { Clock } from '../../clock.js'
import { gzipMember, gzipPrefix } from '../gzip-cache.js'
import { acceptsGzip, negotiateFormat } from '../negotiation.js'
import { PROBE_PATH } from './sd.js'
import { sendParts } from './telemetry.js'

const NOTHING = Buffer.alloc(0)

export interface ProbeRouteOptions {
  readonly view: ExporterView
  readonly clock: Clock
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const SUCCESS_HEAD =
  '# HELP cratedb_cloud_probe_success 1 if the exporter holds series of the cluster, 0 if it does not know it (see the debug log for why).\n' +
  '# TYPE cratedb_cloud_probe_success gauge\n'
const AGE_HEAD =
  "# HELP cratedb_cloud_probe_data_age_seconds Seconds since the oldest last successful poll among the collectors that feed the cluster's series (inventory, org_metrics of its organization).\n" +
  '# TYPE cratedb_cloud_probe_data_age_seconds gauge\n'

/** The probe's own gauges; the same lines in both formats. */
function probeLines(success: boolean, ageSeconds: number | null): string {
  let lines = `${SUCCESS_HEAD}cratedb_cloud_probe_success ${success ? 1 : 0}\n`
  if (ageSeconds !== null)
    lines += `${AGE_HEAD}cratedb_cloud_probe_data_age_seconds ${formatValue(ageSeconds)}\n`
  return lines
}

/**
 * GET /probe?cluster_id=<uuid>: one cluster's cluster and node series, as views of the latest rendering
 * (no API call, no rendering), plus cratedb_cloud_probe_success and the data age. Like
 * blackbox_exporter, a cluster the exporter does not know is a successful scrape that says
 * probe_success 0, so that `up` stays about the exporter; a malformed request is a 400.
 */
export const probeRoutes: FastifyPluginCallback<ProbeRouteOptions> = (app, options, done) => {
  app.get(PROBE_PATH, async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const raw = query['cluster_id']
    if (typeof raw !== 'string' || !UUID.test(raw)) {
      const message =
        raw === undefined
          ? 'the cluster_id parameter is missing: /probe?cluster_id=<cluster uuid>'
          : Array.isArray(raw)
            ? 'give cluster_id once'
            : `cluster_id must be a cluster uuid, got ${JSON.stringify(typeof raw === 'string' ? raw.slice(0, 64) : '')}`
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message })
    }
    const clusterId = raw.toLowerCase()
    const lookup = options.view.probe(clusterId)
    const slices = lookup.found ? lookup.exposition.clusters.get(clusterId) : undefined
    let text: ExpositionBody
    let openMetrics: ExpositionBody
    if (!lookup.found || slices === undefined) {
      const reason = lookup.found
        ? `cluster ${clusterId} has no series in the latest rendering yet`
        : lookup.reason
      request.log.debug({ cluster_id: clusterId, reason }, 'probe of an unknown cluster')
      const lines = probeLines(false, null)
      text = ExpositionBody.of(lines)
      openMetrics = ExpositionBody.of(lines + OPENMETRICS_EOF)
    } else {
      const age =
        lookup.dataTimestamp === null
          ? null
          : Math.max(0, (options.clock.now() - lookup.dataTimestamp) / 1000)
      const lines = probeLines(true, age)
      ;({ text, openMetrics } = clusterBodies(slices, { text: lines, openMetrics: lines }))
    }
    const format = negotiateFormat(request.headers.accept)
    reply
      .header('Content-Type', format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE)
      .header('Vary', 'Accept, Accept-Encoding')
      .header('Cache-Control', 'no-store')
    const body = format === 'openmetrics' ? openMetrics : text
    if (!acceptsGzip(request.headers['accept-encoding'])) {
      sendParts(reply, [body.parts], request.method === 'HEAD')
      return reply
    }
    const prefix = await gzipPrefix(body)
    reply.header('Content-Encoding', 'gzip')
    sendParts(reply, [gzipMember(prefix, [], NOTHING)], request.method === 'HEAD')
    return reply
  })
  done()
}
