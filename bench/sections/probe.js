// 6. Per-cluster targets: /probe?cluster_id= against /metrics for one snapshot, and the cost of /sd.
import { get } from 'node:http'
import { Buffer } from 'node:buffer'
import { startExporterChild, startSimulatorChild } from '../lib/children.js'
import { command, table } from '../lib/markdown.js'
import { simulatorOptions } from '../lib/payloads.js'
import { fixed, median, ms } from '../lib/stats.js'
import { runWrk } from '../lib/wrk.js'

function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () =>
        resolve({ status: response.statusCode, body: Buffer.concat(chunks), headers: response.headers })
      )
      response.on('error', reject)
    }).once('error', reject)
  })
}

export async function probeSection({ clusters, reps, seconds, connections, tools, log }) {
  const simulator = await startSimulatorChild(simulatorOptions(clusters))
  let exporter = null
  try {
    log(`probe: exporter polling ${clusters} clusters`)
    exporter = await startExporterChild(simulator.url, {
      'collector.org_metrics.interval': '10m',
      'collector.inventory.interval': '10m'
    })
    const sd = await rawGet(`${exporter.url}/sd`)
    const groups = JSON.parse(sd.body.toString('utf8'))
    if (groups.length !== clusters) throw new Error(`/sd lists ${groups.length} targets, not ${clusters}`)
    const clusterId = groups[0].labels.__param_cluster_id
    const metrics = await rawGet(`${exporter.url}/metrics`)
    const probe = await rawGet(`${exporter.url}/probe?cluster_id=${clusterId}`)
    const probeGzip = await rawGet(`${exporter.url}/probe?cluster_id=${clusterId}`, {
      'accept-encoding': 'gzip'
    })
    const metricsGzip = await rawGet(`${exporter.url}/metrics`, { 'accept-encoding': 'gzip' })
    if (!probe.body.toString().includes('cratedb_cloud_probe_success 1')) throw new Error('the probe failed')
    const targets = [
      { name: '/metrics (all clusters)', url: `${exporter.url}/metrics`, bytes: [metrics, metricsGzip] },
      {
        name: '/probe (one cluster)',
        url: `${exporter.url}/probe?cluster_id=${clusterId}`,
        bytes: [probe, probeGzip]
      },
      { name: `/sd (${clusters} targets)`, url: `${exporter.url}/sd`, bytes: [sd, sd] }
    ]
    const rows = []
    for (const gzip of [false, true]) {
      for (const target of targets) {
        if (gzip && target.url.endsWith('/sd')) continue
        const runs = []
        for (let k = 0; k < reps; k++) {
          log(`probe: ${target.name}, gzip ${gzip}, run ${k + 1}/${reps}`)
          runs.push(await runWrk(tools.wrk, target.url, { connections, seconds, gzip }))
        }
        rows.push({
          path: target.name,
          encoding: gzip ? 'gzip' : 'identity',
          'body bytes': target.bytes[gzip ? 1 : 0].body.length,
          'requests/s (median)': fixed(median(runs.map((r) => r.rps)), 0),
          p50: ms(median(runs.map((r) => r.p50)), 2),
          p99: ms(median(runs.map((r) => r.p99)), 2),
          errors: runs.reduce((sum, r) => sum + r.errors, 0)
        })
      }
    }
    const markdown = `## 7. Per-cluster targets: /probe and /sd

The exporter (its own process) polls a simulator of ${clusters} clusters once (intervals 10 minutes),
then serves its snapshot three ways: \`/metrics\` (every cluster), \`/probe?cluster_id=\` (one cluster's
series, views of the same rendering plus two probe gauges; gzipped per request) and \`/sd\` (the
http_sd JSON of all ${clusters} targets, built per request from the inventory). wrk: 1 thread,
${connections} connections, keep-alive, ${seconds} s per run, ${reps} runs, medians; wrk and the
exporter share the machine's 2 cores. A Prometheus scraping every cluster every 30 s asks for
${clusters} probes per 30 s (${fixed(clusters / 30, 0)}/s) and /sd once per refresh interval (60 s).

${table(rows)}
${command(`node bench/run.js --sections probe --out FILE   # one cell: ${'wrk -t1 -c' + connections + ' -d' + seconds + 's --latency URL'}`)}`
    return { markdown, goals: [], rows }
  } finally {
    await exporter?.stop()
    await simulator.stop()
  }
}
