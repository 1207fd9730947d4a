import { describe, expect, it } from 'vitest'
import { createOrgMetricsReader } from '../../../../src/collectors/org-metrics/reader.js'
import type { OrgMetricsReading } from '../../../../src/collectors/org-metrics/types.js'

/**
 * Rows of kept families written the way the API writes them are read without the full scan; every other
 * form falls back to it. Each case is read both ways (by default, and with every line fully checked, which
 * never takes the fast path) and the readings must agree, as well as hold the expected values.
 */
const CLUSTER = '5e52d9b3-3b92-4568-a3a4-620ed9d1d445'
const POD = `crate-data-hot-${CLUSTER}-0`
const POD_1 = `crate-data-hot-${CLUSTER}-1`
const TS = 1778668455079

function readChunked(body: string, validateDropped: boolean, chunkSize: number): OrgMetricsReading {
  const reader = createOrgMetricsReader({ validateDropped })
  const bytes = Buffer.from(body)
  for (let offset = 0; offset < bytes.length; offset += chunkSize)
    reader.write(Buffer.from(bytes.subarray(offset, offset + chunkSize)))
  return reader.end()
}

/** The default reading, after checking it against the fully checked one and against other chunkings. */
function read(body: string): OrgMetricsReading {
  const lean = readChunked(body, false, body.length + 1)
  const checked = readChunked(body, true, body.length + 1)
  expect({ ...lean, invalidLines: 0, firstInvalid: null }).toEqual({
    ...checked,
    invalidLines: 0,
    firstInvalid: null
  })
  for (const size of [1, 7, 64]) expect(readChunked(body, false, size)).toEqual(lean)
  return lean
}

const shard = (labels: string, value = '1000.0'): string => `crate_node{${labels}} ${value} ${TS}\n`
const sorted = (pod: string, table: string, property = 'size'): string =>
  `name="shard_info",namespace="ns",pod_name="${pod}",primary="true",property="${property}",schema="doc",table="${table}"`

const storage = (reading: OrgMetricsReading, node = 'data-hot-0') =>
  reading.nodes.get(`${CLUSTER}/${node}`) ?? { storageUsedBytes: 0, shards: 0 }

describe('org metrics reader: rows as the API writes them and every other form', () => {
  it('sums sorted shard rows of alternating pods', () => {
    const reading = read(
      shard(sorted(POD, 'a'), '100.0') +
        shard(sorted(POD_1, 'a'), '10.0') +
        shard(sorted(POD, 'b'), '200.0') +
        shard(sorted(POD_1, 'b'), '20.0') +
        shard(sorted(POD, 'c'), '5.4411008E7')
    )
    expect(storage(reading)).toMatchObject({ storageUsedBytes: 54_411_308, shards: 3 })
    expect(storage(reading, 'data-hot-1')).toMatchObject({ storageUsedBytes: 30, shards: 2 })
    expect(reading.newestSampleMs).toBe(TS)
  })

  it('reads unsorted labels the same', () => {
    const reading = read(
      shard(`table="t",pod_name="${POD}",property="size",schema="doc",name="shard_info"`, '7.0') +
        shard(`property="size",name="shard_info",pod_name="${POD}"`, '8.0')
    )
    expect(storage(reading)).toMatchObject({ storageUsedBytes: 15, shards: 2 })
  })

  it('reads shard_info rows with extra labels in an unexpected order', () => {
    const reading = read(
      shard(`zone="a",name="shard_info",extra="x",pod_name="${POD}",z="1",property="size"`, '3.0') +
        shard(`name="shard_info",partition_ident="p1",pod_name="${POD}",property="size",zz="9"`, '4.0')
    )
    expect(storage(reading)).toMatchObject({ storageUsedBytes: 7, shards: 2 })
  })

  it('falls back to the full scan on an escaped quote or backslash in a label value', () => {
    const reading = read(
      shard(`name="shard_info",pod_name="${POD}",property="size",table="say \\"hi\\""`, '11.0') +
        shard(`name="shard_info",pod_name="${POD}",property="size",table="back\\\\slash"`, '12.0') +
        shard(`name="shard_info",pod_name="${POD}",property="size",table="new\\nline"`, '13.0')
    )
    expect(storage(reading)).toMatchObject({ storageUsedBytes: 36, shards: 3 })
  })

  it('keeps braces, commas and equals signs inside values as values', () => {
    const reading = read(
      shard(`name="shard_info",pod_name="${POD}",property="size",table="a},b={c"`, '5.0') +
        shard(`name="shard_info",pod_name="${POD}",property="size",table="}"`, '6.0')
    )
    expect(storage(reading)).toMatchObject({ storageUsedBytes: 11, shards: 2 })
  })

  it('counts no shard without property="size", or with another name', () => {
    const reading = read(
      shard(`name="shard_info",pod_name="${POD}",primary="true",schema="doc",table="t"`, '1.0') +
        shard(sorted(POD, 't', 'sizes'), '2.0') +
        shard(sorted(POD, 't', 'siz'), '3.0') +
        shard(`name="shard_stats",pod_name="${POD}",property="size"`, '4.0') +
        shard(`name="shard_info_",pod_name="${POD}",property="size"`, '5.0') +
        shard(`name="shard_info",property="size"`, '6.0')
    )
    expect(reading.nodes.size).toBe(0)
    expect(reading.invalidLines).toBe(0)
  })

  it('takes the first of duplicated labels, as the full scan does', () => {
    const reading = read(
      shard(`name="shard_stats",name="shard_info",pod_name="${POD}",property="size"`, '1.0') +
        shard(`name="shard_info",pod_name="${POD}",pod_name="other",property="size",property="x"`, '2.0') +
        shard(`name="shard_info",pod_name="other",pod_name="${POD}",property="size"`, '4.0')
    )
    expect(storage(reading)).toMatchObject({ storageUsedBytes: 2, shards: 1 })
  })

  it('reads blanks, a trailing comma, CRLF and a missing timestamp through the full scan', () => {
    const reading = read(
      `crate_node {name="shard_info",pod_name="${POD}",property="size"} 1.0 ${TS}\n` +
        `crate_node{ name = "shard_info" , pod_name="${POD}",property="size" } 2.0 ${TS}\n` +
        `crate_node{name="shard_info",pod_name="${POD}",property="size",} 4.0 ${TS}\n` +
        `crate_node{name="shard_info",pod_name="${POD}",property="size"} 8.0 ${TS}\r\n` +
        `crate_node{name="shard_info",pod_name="${POD}",property="size"}\t16.0\n`
    )
    expect(storage(reading)).toMatchObject({ storageUsedBytes: 31, shards: 5 })
    expect(reading.invalidLines).toBe(0)
  })

  it('counts malformed kept rows invalid with the full scan message', () => {
    const body =
      shard(`name="shard_info",pod_name="${POD}",property="size`, '1.0') +
      shard(`name="shard_info",pod_name="${POD}",property="size"`, '1.0x') +
      shard(`name="shard_info",pod_name="${POD}",property="size",1a="b"`, '1.0') +
      `crate_node{name="shard_info",pod_name="${POD}",property="size"}\n` +
      shard(`name="shard_info" pod_name="${POD}",property="size"`, '1.0') +
      shard(`name="shard_info"pod_name="${POD}",property="size"`, '1.0') +
      shard(`name="shard_info",pod_name="${POD}",property="size"}`, '1.0') +
      shard(sorted(POD, 'ok'), '64.0')
    const reading = read(body)
    expect(storage(reading)).toMatchObject({ storageUsedBytes: 64, shards: 1 })
    expect(reading.invalidLines).toBe(7)
    expect(reading.firstInvalid).toEqual(readChunked(body, true, body.length).firstInvalid)
    expect(reading.firstInvalid?.line).toBe(1)
  })

  it('reads the other kept families the same in and out of the API form', () => {
    const pod = (labels: string) => labels.replace('POD', POD)
    const lines = [
      `cloud_clusters_health{cluster_id="${CLUSTER}",cluster_name="dev \\"brain\\""} 0.0 ${TS}`,
      `container_cpu_usage_seconds_total{container="crate",cpu="total",pod="${POD}"} 12.5 ${TS}`,
      `container_cpu_usage_seconds_total{container="sql-exporter",pod="${POD}"} 99.0 ${TS}`,
      `container_memory_usage_bytes{container="crate",pod="${POD}"} 2048.0 ${TS}`,
      pod(`jvm_memory_pool_bytes_used{pod_name="POD",pool="G1 Eden Space"} 1.0 ${TS}`),
      pod(`jvm_memory_pool_bytes_used{pod_name="POD",pool="Metaspace"} 100.0 ${TS}`),
      pod(`jvm_memory_pool_bytes_used{pool="G1 Old Gen",pod_name="POD"} 2.0 ${TS}`),
      pod(`jvm_memory_bytes_max{area="heap",pod_name="POD"} 4096.0 ${TS}`),
      pod(`crate_ready{pod_name="POD"} 1.0 ${TS}`),
      pod(`cratedb_cluster_last_user_activity{pod_name="POD"} 1778668425.0 ${TS}`),
      pod(`crate_query_total_count{pod_name="POD",query="Select"} 10.0 ${TS}`),
      pod(`crate_query_total_count{pod_name="POD",query="Sel\\\\ect"} 11.0 ${TS}`),
      pod(`crate_query_failed_count{query="Select",pod_name="POD"} 1.0 ${TS}`),
      pod(`crate_query_sum_of_durations_millis{pod_name="POD",query="Select"} 5.0`)
    ]
    const reading = read(`${lines.join('\n')}\n`)
    expect([...reading.clusterHealth]).toEqual([[CLUSTER, { name: 'dev "brain"', value: 0 }]])
    const node = reading.nodes.get(`${CLUSTER}/data-hot-0`)!
    expect(node).toMatchObject({
      cpuSecondsTotal: { value: 12.5, timestampMs: TS },
      memoryUsageBytes: 2048,
      heapUsedBytes: 3,
      heapMaxBytes: 4096,
      ready: 1,
      lastUserActivitySeconds: 1778668425
    })
    expect([...node.queries]).toEqual([
      ['Select', { total: { value: 10, timestampMs: TS }, failed: { value: 1, timestampMs: TS } }],
      ['Sel\\ect', { total: { value: 11, timestampMs: TS } }]
    ])
  })
})
