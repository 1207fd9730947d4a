// 3. Serving: the exporter's /metrics under wrk versus a bare node:http server and nginx, same bytes.
import { Buffer } from 'node:buffer'
import { URL } from 'node:url'
import { mkdirSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import process from 'node:process'
import { startExporterChild, startSimulatorChild } from '../lib/children.js'
import { command, table } from '../lib/markdown.js'
import { freePort } from '../lib/nginx.js'
import { simulatorOptions } from '../lib/payloads.js'
import { start, waitForHttp } from '../lib/processes.js'
import { fixed, median, mib, ms, ratio, verdict } from '../lib/stats.js'
import { runWrk } from '../lib/wrk.js'

const THROUGHPUT_GOAL = 0.8
/** gzip: an absolute p99 at GOAL_CONNECTIONS; identity: a p99 relative to the bare server's. */
const P99_GOAL_SECONDS = 0.01
const P99_RATIO_GOAL = 1.2
const GOAL_CONNECTIONS = 8

/** The raw body of a GET (no decompression), and its headers. */
function rawGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () => resolve({ body: Buffer.concat(chunks), headers: response.headers }))
      response.on('error', reject)
    }).once('error', reject)
  })
}

/**
 * The part of an exporter body rendered once per collection: everything before the self metrics,
 * which change between scrapes (the first of them is prom-client's process CPU counter).
 */
function collectorsPart(body) {
  const at = body.indexOf('# HELP process_cpu_user_seconds_total ')
  return at === -1 ? body : body.subarray(0, at)
}

export async function servingSection({ clusters, nginx, wwwDir, tools, reps, seconds, connections, log }) {
  const simulator = await startSimulatorChild(simulatorOptions(clusters))
  let exporter = null
  let bare = null
  try {
    log(`serving: exporter polling ${clusters} clusters`)
    exporter = await startExporterChild(simulator.url, {
      'collector.org_metrics.interval': '10m',
      'collector.inventory.interval': '10m'
    })
    const plain = await rawGet(`${exporter.url}/metrics`)
    const gzipped = await rawGet(`${exporter.url}/metrics`, { 'accept-encoding': 'gzip' })
    if (gzipped.headers['content-encoding'] !== 'gzip') throw new Error('the exporter did not gzip /metrics')
    const dir = join(wwwDir, 'serve')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'metrics.prom'), plain.body)
    writeFileSync(join(dir, 'metrics.prom.gz'), gzipped.body)
    const port = await freePort()
    bare = start(process.execPath, [
      new URL('../lib/bare-server.js', import.meta.url).pathname,
      String(port),
      join(dir, 'metrics.prom'),
      join(dir, 'metrics.prom.gz')
    ])
    const targets = [
      { name: 'exporter /metrics', url: `${exporter.url}/metrics` },
      { name: 'bare node:http, prebuilt Buffer', url: `http://127.0.0.1:${port}/metrics` },
      { name: 'nginx, static file', url: `${nginx.url}/serve/metrics.prom` }
    ]
    await waitForHttp(targets[1].url, { child: bare })
    for (const target of targets) {
      const served = await rawGet(target.url)
      const same =
        target === targets[0]
          ? collectorsPart(served.body).equals(collectorsPart(plain.body))
          : served.body.equals(plain.body)
      if (!same) throw new Error(`${target.name} does not serve the same bytes`)
    }
    const results = new Map()
    for (const gzip of [false, true]) {
      for (const c of connections) {
        for (let k = 0; k < reps; k++) {
          // Round robin over the servers, so that a noisy moment does not fall on one of them only.
          for (const target of targets) {
            log(`serving: ${target.name}, ${c} connections, gzip ${gzip}, run ${k + 1}/${reps}`)
            const run = await runWrk(tools.wrk, target.url, { connections: c, seconds, gzip })
            const key = `${gzip}/${c}/${target.name}`
            results.set(key, [...(results.get(key) ?? []), run])
          }
        }
      }
    }
    const after = await rawGet(`${exporter.url}/metrics`)
    const sameBody = collectorsPart(after.body).equals(collectorsPart(plain.body))
    const rows = []
    const goals = []
    for (const gzip of [false, true]) {
      for (const c of connections) {
        const bareRps = median(results.get(`${gzip}/${c}/${targets[1].name}`).map((r) => r.rps))
        for (const target of targets) {
          const runs = results.get(`${gzip}/${c}/${target.name}`)
          const rps = median(runs.map((r) => r.rps))
          const p99 = median(runs.map((r) => r.p99))
          const errors = runs.reduce((sum, r) => sum + r.errors, 0)
          let goal = '—'
          const bareP99 = median(results.get(`${gzip}/${c}/${targets[1].name}`).map((r) => r.p99))
          const okRps = rps / bareRps >= THROUGHPUT_GOAL
          if (target === targets[0] && !gzip) {
            // Identity: a 4 MiB body on two cores is judged against the bare server on the same cores.
            const okP99 = p99 <= P99_RATIO_GOAL * bareP99
            goals.push({
              what: `serving identity at ${c} connection${c > 1 ? 's' : ''}: ≥ ${THROUGHPUT_GOAL}× bare (${ratio(rps / bareRps)})`,
              ok: okRps
            })
            goals.push({
              what: `serving identity at ${c} connection${c > 1 ? 's' : ''}: p99 ≤ ${P99_RATIO_GOAL}× bare (${ms(p99, 1)} against ${ms(bareP99, 1)})`,
              ok: okP99
            })
            goal = `≥ ${THROUGHPUT_GOAL}× bare: ${verdict(okRps)}; p99 ≤ ${P99_RATIO_GOAL}× bare's: ${verdict(okP99)} (${ratio(p99 / bareP99)})`
          } else if (target === targets[0] && c === GOAL_CONNECTIONS) {
            const okP99 = p99 < P99_GOAL_SECONDS
            goals.push({
              what: `serving gzip: ≥ ${THROUGHPUT_GOAL}× bare (${ratio(rps / bareRps)})`,
              ok: okRps
            })
            goals.push({ what: `serving gzip: p99 < 10 ms at ${c} (${ms(p99, 1)})`, ok: okP99 })
            // Little's law: c connections kept busy at X requests/s wait c / X seconds per request on
            // average, and p99 is at least the mean. If even the bare server's throughput gives a
            // mean above the goal, no server of this machine meets it at c connections.
            const bareMean = c / bareRps
            const limit =
              !okP99 && bareMean >= P99_GOAL_SECONDS
                ? ` (not reachable here: at the bare server's ${fixed(bareRps, 0)} req/s, ${c} busy connections wait ${ms(bareMean, 1)} on average by Little's law; p99 < 10 ms needs ≥ ${fixed(c / P99_GOAL_SECONDS, 0)} req/s)`
                : !okP99 && bareP99 >= P99_GOAL_SECONDS
                  ? ' (the bare server misses it too)'
                  : ''
            goal = `≥ ${THROUGHPUT_GOAL}× bare: ${verdict(okRps)}; p99 < 10 ms: ${verdict(okP99)}${limit}`
          }
          rows.push({
            encoding: gzip ? 'gzip' : 'identity',
            connections: c,
            server: target.name,
            'requests/s (median)': fixed(rps, 0),
            'MiB/s': fixed((rps * (gzip ? gzipped.body.length : plain.body.length)) / 1048576, 0),
            p50: ms(median(runs.map((r) => r.p50)), 2),
            p99: ms(p99, 2),
            '× bare': ratio(rps / bareRps),
            errors,
            goal
          })
        }
      }
    }
    const sample = results.get(`false/${GOAL_CONNECTIONS}/${targets[0].name}`)?.[0]?.command ?? ''
    const markdown = `## 3. Serving: /metrics under wrk

The exporter (\`node dist/cli.js run\`, its own process) polls a simulator (another process) of
${clusters} clusters once (intervals set to 10 minutes so no poll falls inside a measurement), then
serves its snapshot: ${mib(plain.body.length)} of text, ${mib(gzipped.body.length)} gzipped, of which the
cluster data is rendered and gzipped once per collection, the exporter's own metrics (API calls,
collectors, process and Node.js metrics) again when one of them changes (the process metrics are
collected once a second), and for each scrape only its scrape counter is rendered and appended
(uncompressed, in deflate's stored blocks, to the gzip body). The same bytes are served by a bare \`node:http\` server writing a prebuilt Buffer (bench/lib/bare-server.js,
the practical limit for Node) and by nginx (one worker, sendfile, \`gzip_static\` with the exporter's
own gzip body). wrk: 1 thread, keep-alive, ${seconds} s per run, ${reps} runs per cell, servers
taken in turn; medians of the runs. wrk and the server share the machine's 2 cores.
Goals: identity, at every connection count, ≥ ${THROUGHPUT_GOAL}× the bare server's requests/s and a p99 no worse
than ${P99_RATIO_GOAL}× the bare server's p99 in the same run; gzip ≥ ${THROUGHPUT_GOAL}× the bare server's requests/s and p99 < 10 ms at
${GOAL_CONNECTIONS} connections.
Prometheus asks for gzip on every scrape (its \`enable_compression\` scrape setting, default true, keeps the
behaviour it always had: prometheus/prometheus#13166), so the gzip rows are what a Prometheus server gets;
identity is what curl gets. An absolute p99 is no goal for identity: with c connections kept busy at X
requests/s, a request waits c / X on average (Little's law) and p99 is at least that mean, so at the bare
server's own identity throughput (a few hundred bodies of several MiB a second on two cores) 8 connections
wait tens of milliseconds on any server of this machine. Where the same holds for gzip, the goal column
says so.
${sameBody ? 'The exporter served the same cluster data before and after the runs (no render in between).' : '**The exporter re-rendered during the runs.**'}

${table(rows)}
${command(`npm run bench   # section "serving"; one cell: ${sample}`)}`
    return { markdown, goals, rows }
  } finally {
    await bare?.stop()
    await exporter?.stop()
    await simulator.stop()
  }
}
