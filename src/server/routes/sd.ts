import type { FastifyPluginCallback, FastifyRequest } from 'fastify'
import type { ClusterTarget, ExporterView } from '../../engine/view.js'

export interface SdRouteOptions {
  readonly view: ExporterView
  /** --web.external-url; null: the scheme and Host header of the /sd request. */
  readonly externalUrl: string | null
}

export const PROBE_PATH = '/probe'
const META = '__meta_cratedb_cloud_'

/** One http_sd target group: the address and the labels Prometheus turns into a target. */
export interface TargetGroup {
  readonly targets: readonly string[]
  readonly labels: Readonly<Record<string, string>>
}

interface Address {
  readonly host: string
  readonly scheme: 'http' | 'https'
  /** Path prefix under which the exporter is reached (behind a reverse proxy), '' for none. */
  readonly prefix: string
}

function addressOf(request: FastifyRequest, externalUrl: string | null): Address | null {
  if (externalUrl !== null) {
    const url = new URL(externalUrl)
    return {
      host: url.host,
      scheme: url.protocol === 'https:' ? 'https' : 'http',
      prefix: url.pathname === '/' ? '' : url.pathname
    }
  }
  const host = request.headers.host
  if (host === undefined || host.trim() === '' || /[\s/@]/.test(host)) return null
  return { host, scheme: request.protocol === 'https' ? 'https' : 'http', prefix: '' }
}

/**
 * The labels of a cluster's target. The scraped series carry cluster_id and cluster_name themselves;
 * a target label of the same name would make Prometheus rename the series' label to exported_<name>
 * (honor_labels: false), even when the values are equal. So the target has only instance and
 * __-prefixed labels, which Prometheus drops after relabeling: the series keep exactly their
 * /metrics labels, and the names are there for a relabel_config that wants them.
 */
export function targetGroup(target: ClusterTarget, address: Address): TargetGroup {
  return {
    targets: [address.host],
    labels: {
      __metrics_path__: `${address.prefix}${PROBE_PATH}`,
      __scheme__: address.scheme,
      __param_cluster_id: target.clusterId,
      instance: `${target.clusterName}/${target.clusterId}`,
      [`${META}cluster_id`]: target.clusterId,
      [`${META}cluster_name`]: target.clusterName,
      [`${META}organization_id`]: target.organizationId,
      [`${META}organization_name`]: target.organizationName,
      [`${META}project_id`]: target.projectId,
      [`${META}project_name`]: target.projectName,
      [`${META}region`]: target.region,
      [`${META}product_name`]: target.productName,
      [`${META}product_tier`]: target.productTier
    }
  }
}

/**
 * GET /sd: Prometheus HTTP service discovery, one target group per cluster this exporter polls, each
 * scraped at /probe?cluster_id=<id> on this exporter. Built from the inventory it holds; no API call.
 */
export const sdRoutes: FastifyPluginCallback<SdRouteOptions> = (app, options, done) => {
  app.get('/sd', async (request, reply) => {
    const address = addressOf(request, options.externalUrl)
    if (address === null) {
      return reply.code(400).send({
        statusCode: 400,
        error: 'Bad Request',
        message: 'no usable Host header: set --web.external-url to the URL Prometheus reaches the exporter at'
      })
    }
    const groups = options.view.targets().map((target) => targetGroup(target, address))
    return reply
      .header('Content-Type', 'application/json; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .send(JSON.stringify(groups))
  })
  done()
}
