import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createOrgMetricsReader,
  type OrgMetricsReaderOptions
} from '../../../../src/collectors/org-metrics/reader.js'
import type { OrgMetricsReading } from '../../../../src/collectors/org-metrics/types.js'
import { REPO_ROOT, sharedFile } from '../../../helpers/environment.js'

const FIXTURES = resolve(REPO_ROOT, 'test/fixtures/org-metrics')
const fixture = (name: string): Buffer => readFileSync(resolve(FIXTURES, name))

function read(body: Buffer | string, options?: OrgMetricsReaderOptions): OrgMetricsReading {
  const reader = createOrgMetricsReader(options)
  reader.write(typeof body === 'string' ? Buffer.from(body) : body)
  return reader.end()
}

const CAPTURE_CLUSTER = '5e52d9b3-3b92-4568-a3a4-620ed9d1d445'
const capture = sharedFile('org-metrics-capture.prom')

describe.skipIf(capture === undefined)('org metrics reader on the real capture', () => {
  let body: Buffer
  let reading: OrgMetricsReading
  beforeAll(() => {
    body = readFileSync(capture!)
    reading = read(body)
  })
  const node = (name: string) => reading.nodes.get(`${CAPTURE_CLUSTER}/${name}`)

  it('finds the one cluster and its three nodes', () => {
    expect([...reading.clusterHealth]).toEqual([[CAPTURE_CLUSTER, { name: 'devbrain', value: 0 }]])
    expect([...reading.nodes.keys()].sort()).toEqual(
      ['data-hot-0', 'data-hot-1', 'data-hot-2'].map((n) => `${CAPTURE_CLUSTER}/${n}`)
    )
  })

  it('sums the shard sizes per node (ground truth of the capture)', () => {
    expect(node('data-hot-0')).toMatchObject({ storageUsedBytes: 247_118_391, shards: 157 })
    expect(node('data-hot-1')).toMatchObject({ storageUsedBytes: 383_545_652, shards: 157 })
    expect(node('data-hot-2')).toMatchObject({ storageUsedBytes: 270_422_237, shards: 157 })
  })

  it('reads CPU, memory, heap, readiness and activity of the crate container', () => {
    expect(node('data-hot-0')).toMatchObject({
      clusterId: CAPTURE_CLUSTER,
      node: 'data-hot-0',
      cpuSecondsTotal: { value: 1219.730375, timestampMs: 1778668448190 },
      memoryUsageBytes: 2298281984,
      heapMaxBytes: 1879048192,
      // G1 Eden Space + G1 Old Gen + G1 Survivor Space
      heapUsedBytes: 1065659632,
      ready: 1,
      lastUserActivitySeconds: 1778668425
    })
    expect(node('data-hot-1')?.cpuSecondsTotal).toEqual({ value: 908.924047, timestampMs: 1778668450829 })
    expect(node('data-hot-2')?.cpuSecondsTotal).toEqual({ value: 295.62179, timestampMs: 1778668440551 })
    expect(node('data-hot-1')?.heapUsedBytes).toBe(377916872)
    expect(node('data-hot-2')?.memoryUsageBytes).toBe(1860456448)
  })

  it('reads the query counters by query type', () => {
    const queries = node('data-hot-0')!.queries
    expect([...queries.keys()].sort()).toEqual([
      'Copy',
      'DDL',
      'Delete',
      'Insert',
      'Management',
      'Select',
      'Undefined',
      'Update'
    ])
    expect(queries.get('Select')).toEqual({
      total: { value: 58970, timestampMs: 1778668455079 },
      failed: { value: 2, timestampMs: 1778668455079 },
      durationMillis: { value: 985686, timestampMs: 1778668455079 }
    })
  })

  it('counts the body and the age of the rows kept', () => {
    expect(reading).toMatchObject({
      bytes: 244_302,
      lines: 1109,
      invalidLines: 0,
      firstInvalid: null,
      newestSampleMs: 1778668460170,
      oldestSampleMs: 1778668440551
    })
  })

  it('reads the same when it checks every line', () => {
    expect(read(body, { validateDropped: true })).toEqual(reading)
  })
})

describe('org metrics reader on fixtures', () => {
  const ALPHA = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0'
  const BETA = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d'
  const twoClusters = fixture('two-clusters.prom')

  it('keeps only crate nodes and the cluster names', () => {
    const reading = read(twoClusters)
    expect([...reading.clusterHealth]).toEqual([
      [ALPHA, { name: 'alpha', value: 0 }],
      [BETA, { name: 'beta "prod"', value: 2 }]
    ])
    expect([...reading.nodes.keys()].sort()).toEqual([
      `${ALPHA}/data-hot-0`,
      `${ALPHA}/data-hot-1`,
      `${ALPHA}/master-0`,
      `${BETA}/data-warm-0`
    ])
    expect(reading.nodes.get(`${ALPHA}/master-0`)).toEqual({
      clusterId: ALPHA,
      node: 'master-0',
      cpuSecondsTotal: { value: 12.5, timestampMs: 1700000000010 },
      memoryUsageBytes: 54411008,
      ready: 0,
      storageUsedBytes: 0,
      shards: 0,
      queries: new Map()
    })
    expect(reading.nodes.get(`${ALPHA}/data-hot-0`)).toEqual({
      clusterId: ALPHA,
      node: 'data-hot-0',
      cpuSecondsTotal: { value: 1234.5, timestampMs: 1700000000020 },
      memoryUsageBytes: 2298281984,
      storageUsedBytes: 3500,
      shards: 2,
      ready: 1,
      lastUserActivitySeconds: 1.7e9,
      heapMaxBytes: 1879048192,
      heapUsedBytes: 123,
      queries: new Map([
        [
          'Select',
          {
            failed: { value: 2, timestampMs: 1700000000100 },
            durationMillis: { value: 985686, timestampMs: 1700000000100 },
            total: { value: 58970, timestampMs: 1700000000100 }
          }
        ],
        ['Insert', { total: { value: 102, timestampMs: 1700000000100 } }],
        ['Select\nAll', { total: { value: 1, timestampMs: 1700000000100 } }]
      ])
    })
    expect(reading.nodes.get(`${ALPHA}/data-hot-1`)).toMatchObject({
      cpuSecondsTotal: { value: 99, timestampMs: 1700000000030 },
      storageUsedBytes: 0,
      shards: 1
    })
    expect(reading.nodes.get(`${BETA}/data-warm-0`)).toMatchObject({ storageUsedBytes: 4096, shards: 1 })
  })

  it('takes the sample age from kept rows only, and counts lines and bytes', () => {
    const reading = read(twoClusters)
    expect(reading).toMatchObject({
      newestSampleMs: 1700000000200,
      oldestSampleMs: 1700000000010,
      bytes: twoClusters.length,
      lines: 45,
      invalidLines: 0,
      firstInvalid: null,
      endsInsideLine: false
    })
  })

  it('reads CRLF line ends the same', () => {
    const crlf = Buffer.from(twoClusters.toString('utf8').replaceAll('\n', '\r\n'))
    expect(read(crlf)).toEqual({ ...read(twoClusters), bytes: crlf.length })
  })

  it('reads a truncated last line without newline', () => {
    const reading = read('crate_ready{pod_name="crate-master-0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0-0"} 1.0 17')
    expect(reading.nodes.get(`${ALPHA}/master-0`)?.ready).toBe(1)
    // The cut value is read as it is; endsInsideLine lets the collector refuse the body.
    expect(reading).toMatchObject({ lines: 1, newestSampleMs: 17, oldestSampleMs: 17, endsInsideLine: true })
  })

  it('reads an empty body', () => {
    expect(read('')).toEqual({
      nodes: new Map(),
      clusterHealth: new Map(),
      newestSampleMs: null,
      oldestSampleMs: null,
      bytes: 0,
      lines: 0,
      invalidLines: 0,
      firstInvalid: null,
      endsInsideLine: false,
      droppedNodes: { unknownCluster: 0, overLimit: 0 }
    })
  })

  it('skips invalid lines, counts them and reports the first', () => {
    const garbage = fixture('garbage.prom')
    const reading = read(garbage)
    expect([...reading.nodes.values()].map((n) => [n.node, n.ready])).toEqual([
      ['master-0', 1],
      ['master-1', 0]
    ])
    // "this line is not a sample" reads as metric "this", a family the reader drops unread.
    expect(reading).toMatchObject({
      lines: 13,
      invalidLines: 9,
      firstInvalid: { line: 3, message: `expected '=' after label name "pod_name"` }
    })
    expect(read(garbage, { validateDropped: true })).toEqual({
      ...reading,
      invalidLines: 10
    })
  })

  it('counts invalid lines of dropped families only when told to check every line', () => {
    const body = 'crate_threadpools{name="search" 1\nup 1 2 3\n'
    expect(read(body)).toMatchObject({ invalidLines: 0, firstInvalid: null, lines: 2 })
    expect(read(body, { validateDropped: true })).toMatchObject({
      invalidLines: 2,
      firstInvalid: { line: 1, message: `expected ',' or '}' after the value of label "name", found '1'` }
    })
  })

  it('counts lines that do not start with a metric name, such as an HTML error page', () => {
    const reading = read('<html>\n<body>Service Unavailable</body>\n\r\n  # comment\n')
    expect(reading).toMatchObject({
      lines: 4,
      invalidLines: 2,
      firstInvalid: { line: 1, message: `expected a metric name, found '<'` }
    })
  })

  it('matches a family by its whole name, not a prefix', () => {
    const pod = 'pod_name="crate-master-0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0-0"'
    const reading = read(
      `crate_ready_total{${pod}} 1 1\ncrate_nod{${pod},name="shard_info",property="size"} 5 1\n`
    )
    expect(reading.nodes.size).toBe(0)
    expect(reading.newestSampleMs).toBeNull()
  })

  it('reads a name after leading blanks', () => {
    const reading = read(
      ' \tcrate_ready{pod_name="crate-master-0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0-0"} 1 5\n'
    )
    expect(reading.nodes.get(`${ALPHA}/master-0`)?.ready).toBe(1)
  })

  it('ignores counters without a timestamp, keeps gauges without one', () => {
    const pod = 'crate-data-hot-0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0-0'
    const reading = read(
      [
        `container_cpu_usage_seconds_total{container="crate",pod="${pod}"} 5`,
        `crate_query_total_count{pod_name="${pod}",query="Select"} 5`,
        `crate_ready{pod_name="${pod}"} 1`
      ].join('\n')
    )
    const node = reading.nodes.get(`${ALPHA}/data-hot-0`)
    expect(node?.cpuSecondsTotal).toBeUndefined()
    expect(node?.queries.size).toBe(0)
    expect(node?.ready).toBe(1)
    expect(reading.newestSampleMs).toBeNull()
  })
})
