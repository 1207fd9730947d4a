import { Gauge, type Registry } from 'prom-client'

/**
 * The shard this exporter was told it is, as kube-state-metrics exposes it: shards that disagree on
 * the total split the organizations differently, so some are polled twice and some never
 * (alert CrateDBCloudExporterShardsDisagree).
 */
export function registerShardMetrics(registry: Registry, sharding: { total: number; ordinal: number }): void {
  new Gauge({
    name: 'cratedb_cloud_exporter_shard_ordinal',
    help: 'Ordinal of this exporter among the shards that split the organizations (--shard), from 0.',
    registers: [registry]
  }).set(sharding.ordinal)
  new Gauge({
    name: 'cratedb_cloud_exporter_total_shards',
    help: 'Number of shards this exporter was told split the organizations (--total-shards).',
    registers: [registry]
  }).set(sharding.total)
}
