import type { FastifyInstance } from 'fastify'
import { QUERY_MIX, cpuCoresAt, memoryBytesAt, nodeStoredBytesAt, queriesPerSecondAt } from '../node-model.js'
import type { SimulatorState } from '../state.js'
import type { SimCluster } from '../types.js'
import { one, sendError, type Query } from './errors.js'

/**
 * GET /api/v2/clusters/{id}/metrics/{metric_id}/. The real body is unpublished (API notes 5.2, Q1); the
 * default shape is a Prometheus query_range matrix pass-through, the other candidate (series name ->
 * [[unix_seconds, value]]) is the `series` setting.
 */

export const METRIC_IDS = [
  'crate_query_count',
  'crate_query_duration',
  'crate_availability',
  'crate_cpu_seconds',
  'crate_memory_usage',
  'crate_disk_usage2',
  'crate_cluster_last_user_activity',
  'crate_unreplicated_tables'
] as const
type MetricId = (typeof METRIC_IDS)[number]

interface Series {
  readonly labels: Record<string, string>
  readonly key: string
  readonly value: (tMs: number) => number
}

const TYPES = ['Delete', 'Insert', 'Select', 'Update'] as const

function seriesFor(state: SimulatorState, cluster: SimCluster, metric: MetricId): Series[] {
  const qps = (tMs: number): number =>
    cluster.nodes.reduce((sum, n) => sum + queriesPerSecondAt(cluster, n, tMs), 0)
  const perNode = (value: (node: SimCluster['nodes'][number], tMs: number) => number): Series[] =>
    cluster.nodes.map((node) => {
      const pod = `crate-data-hot-${cluster.id}-${node.ordinal}`
      return { labels: { pod_name: pod }, key: pod, value: (tMs) => value(node, tMs) }
    })
  switch (metric) {
    case 'crate_query_count':
      return [
        { labels: { query: 'All' }, key: 'All', value: qps },
        ...TYPES.map((type) => ({
          labels: { query: type },
          key: type,
          value: (t: number) => qps(t) * QUERY_MIX[type].share
        }))
      ]
    case 'crate_query_duration': {
      const all = TYPES.reduce((sum, type) => sum + QUERY_MIX[type].share * QUERY_MIX[type].meanMs, 0)
      const shares = TYPES.reduce((sum, type) => sum + QUERY_MIX[type].share, 0)
      return [
        { labels: { query: 'All' }, key: 'All', value: () => all / shares },
        ...TYPES.map((type) => ({ labels: { query: type }, key: type, value: () => QUERY_MIX[type].meanMs }))
      ]
    }
    case 'crate_availability':
      return [
        {
          labels: {},
          key: 'availability',
          value: () => (state.healthStatus(cluster) === 'UNREACHABLE' ? 0 : 1)
        }
      ]
    case 'crate_cpu_seconds':
      return perNode((node, t) => cpuCoresAt(cluster, node, t))
    case 'crate_memory_usage':
      return perNode((node, t) => memoryBytesAt(cluster, node, t) / cluster.plan.memoryPerNodeBytes)
    case 'crate_disk_usage2':
      return [
        {
          labels: { kind: 'used' },
          key: 'used',
          value: (t) =>
            cluster.nodes.reduce((sum, n) => sum + Math.floor(nodeStoredBytesAt(cluster, n, t)), 0)
        },
        {
          labels: { kind: 'total' },
          key: 'total',
          value: () => cluster.diskSizePerNodeBytes * cluster.nodes.length
        }
      ]
    case 'crate_cluster_last_user_activity':
      return [{ labels: {}, key: 'last_user_activity', value: (t) => Math.floor(t / 1000) - 30 }]
    case 'crate_unreplicated_tables':
      return [
        {
          labels: {},
          key: 'unreplicated_tables',
          value: () =>
            cluster.tables.filter((table) => table.replicas === 0 && cluster.nodes.length > 1).length
        }
      ]
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?Z)?$/

export function registerClusterMetricsRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get<{ Params: { cluster_id: string; metric_id: string }; Querystring: Query }>(
    '/api/v2/clusters/:cluster_id/metrics/:metric_id/',
    async (request, reply) => {
      const cluster = state.cluster(request.params.cluster_id)
      if (cluster === undefined) return sendError(reply, 404)
      const metric = METRIC_IDS.find((id) => id === request.params.metric_id)
      // The path parameter is an enum: another value names no resource.
      if (metric === undefined) return sendError(reply, 404)
      const now = state.clock.now()
      const parsed: Record<string, number> = {}
      for (const name of ['start', 'end']) {
        const text = one(request.query, name)
        if (text === undefined) continue
        if (!ISO.test(text)) return sendError(reply, 400, 'Bad request', { [name]: 'Not a valid datetime.' })
        parsed[name] = Date.parse(text)
      }
      const minutesText = one(request.query, 'minutes_ago')
      if (minutesText !== undefined && !/^\d+$/.test(minutesText))
        return sendError(reply, 400, 'Bad request', { minutes_ago: 'Not a valid integer.' })
      const end = Math.min(parsed['end'] ?? now, now)
      const start =
        minutesText !== undefined ? end - Number(minutesText) * 60_000 : (parsed['start'] ?? end - 3_600_000)
      if (start > end) return sendError(reply, 400, 'Bad request', { start: 'Must be before end.' })
      state.refresh()
      if (!state.isEmitting(cluster)) return reply.code(204).send()
      const from = Math.max(start, end - 7 * 86_400_000)
      const stepMs = Math.max(60_000, Math.ceil((end - from) / 1440 / 60_000) * 60_000)
      const times: number[] = []
      for (let t = Math.ceil(from / stepMs) * stepMs; t <= end; t += stepMs) times.push(t)
      const series = seriesFor(state, cluster, metric)
      const round = (v: number): number => Math.round(v * 1e6) / 1e6
      if (state.settings.metricsJsonShape === 'series') {
        return Object.fromEntries(series.map((s) => [s.key, times.map((t) => [t / 1000, round(s.value(t))])]))
      }
      return {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: series.map((s) => ({
            metric: { __name__: metric, ...s.labels },
            values: times.map((t) => [t / 1000, String(round(s.value(t)))])
          }))
        }
      }
    }
  )
}
