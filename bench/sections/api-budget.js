// 5. API budget: calls to the CrateDB Cloud API per poll cycle and per scrape, counted on the wire.
/* global fetch */
import { Agent } from 'undici'
import { startSimulator } from '../../dist/simulator/index.js'
import { startExporter } from '../../dist/engine/start.js'
import { joinSelf } from '../../dist/metrics/exposition.js'
import { benchConfig, quietLogger } from '../lib/exporter-parts.js'
import { command, table } from '../lib/markdown.js'
import { simulatorOptions } from '../lib/payloads.js'
import { fixed, sleep, verdict } from '../lib/stats.js'

const CLUSTERS_PER_ORGANIZATION = 2

/** The route template of a request path (ids replaced), as the client's own metrics label it. */
function template(path) {
  return path.split('?')[0].replace(/\/organizations\/[^/]+\//, '/organizations/{organization_id}/')
}

/** An undici dispatcher that counts every request the exporter sends, by route template. */
function countingAgent() {
  const counts = new Map()
  const agent = new Agent()
  const dispatcher = agent.compose((dispatch) => (options, handler) => {
    const key = template(options.path)
    counts.set(key, (counts.get(key) ?? 0) + 1)
    return dispatch(options, handler)
  })
  return { dispatcher, counts, close: () => agent.close() }
}

/** Sum of `family`'s samples of one collector in the exposition text. */
function sumOf(text, family, collector) {
  const pattern = new RegExp(`^${family}\\{[^}]*collector="${collector}"[^}]*\\} (\\S+)$`, 'gm')
  return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0)
}

async function measure(organizations, { intervalSeconds, cycles, scrapes }) {
  const simulator = await startSimulator(simulatorOptions(CLUSTERS_PER_ORGANIZATION, organizations, 0))
  const wire = countingAgent()
  let running = null
  try {
    const config = benchConfig([
      ['api.url', simulator.url],
      ['web.listen-address', '127.0.0.1:0'],
      ['collector.org_metrics.interval', `${intervalSeconds}s`],
      // The simulator answers every request fresh (window 0); the exporter's budget is the interval.
      ['api.org-metrics-window', `${intervalSeconds}s`],
      ['collector.inventory.interval', `${intervalSeconds}s`]
    ])
    running = await startExporter({
      config,
      logger: quietLogger(),
      webConfig: null,
      revision: 'bench',
      defaultMetrics: false,
      dispatcher: wire.dispatcher
    })
    const runs = async () => {
      const text = joinSelf(await running.exporter.view.selfMetrics('text')).toString('utf8')
      const failures =
        sumOf(text, 'cratedb_cloud_collector_failures_total', 'inventory') +
        sumOf(text, 'cratedb_cloud_collector_failures_total', 'org_metrics')
      return {
        inventory: sumOf(text, 'cratedb_cloud_collector_runs_total', 'inventory'),
        orgMetrics: sumOf(text, 'cratedb_cloud_collector_runs_total', 'org_metrics'),
        failures
      }
    }
    const deadline = Date.now() + (cycles + 2) * intervalSeconds * 1000 * 4 + 60_000
    for (;;) {
      const r = await runs()
      if (r.inventory >= cycles && r.orgMetrics >= cycles * organizations) break
      if (Date.now() > deadline) throw new Error(`api budget: ${organizations} organizations: too slow`)
      await sleep(100)
    }
    await running.exporter.stop()
    const done = await runs()
    const polled = new Map(wire.counts)
    wire.counts.clear()
    for (let k = 0; k < scrapes; k++) {
      const response = await fetch(`${running.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } })
      if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`)
      await response.arrayBuffer()
    }
    const perScrape = [...wire.counts.values()].reduce((a, b) => a + b, 0) / scrapes
    const orgCycles = done.orgMetrics / organizations
    const of = (path) => polled.get(path) ?? 0
    const row = {
      organizations: of('/api/v2/organizations/') / done.inventory,
      projects: of('/api/v2/organizations/{organization_id}/projects/') / done.inventory,
      clusters: of('/api/v2/organizations/{organization_id}/clusters/') / done.inventory,
      orgMetrics: of('/api/v2/organizations/{organization_id}/metrics/prometheus/') / orgCycles
    }
    const known = new Set([
      '/api/v2/organizations/',
      '/api/v2/organizations/{organization_id}/projects/',
      '/api/v2/organizations/{organization_id}/clusters/',
      '/api/v2/organizations/{organization_id}/metrics/prometheus/'
    ])
    const other = [...polled].filter(([path]) => !known.has(path))
    return { row, other, perScrape, done, orgCycles }
  } finally {
    await running?.close()
    await wire.close()
    await simulator.close()
  }
}

export async function apiBudgetSection({ organizationCounts, intervalSeconds, cycles, scrapes, log }) {
  const rows = []
  const goals = []
  for (const organizations of organizationCounts) {
    log(`api budget: ${organizations} organizations`)
    // Every organization adds three calls per cycle: the interval grows so that a cycle fits in it.
    const interval = Math.max(intervalSeconds, Math.ceil(organizations / 10))
    const m = await measure(organizations, { intervalSeconds: interval, cycles, scrapes })
    const perCycle = m.row.organizations + m.row.projects + m.row.clusters + m.row.orgMetrics
    const minimum = 2 * organizations
    goals.push({ what: `api: 0 calls per scrape (${organizations} orgs)`, ok: m.perScrape === 0 })
    rows.push({
      organizations,
      interval: `${interval} s`,
      'org list': fixed(m.row.organizations, 2),
      'project listings': fixed(m.row.projects, 2),
      'cluster listings': fixed(m.row.clusters, 2),
      'org metrics': fixed(m.row.orgMetrics, 2),
      'calls per cycle': fixed(perCycle, 2),
      'minimum per cycle': minimum,
      'over the minimum': fixed(perCycle - minimum, 2),
      'other calls (whole run)': m.other.map(([path, n]) => `${path} ×${n}`).join(', ') || '—',
      'calls per scrape': `${fixed(m.perScrape, 2)} (${verdict(m.perScrape === 0)})`,
      'runs measured': `${m.done.inventory} inventory, ${fixed(m.orgCycles, 1)} org-metrics per org, ${m.done.failures} failed`
    })
  }
  const markdown = `## 5. API budget: calls per poll cycle and per scrape

The exporter (in this process) polls a simulator of N organizations (${CLUSTERS_PER_ORGANIZATION} clusters
each) with both intervals set to ${intervalSeconds} s, or N/10 s when longer; every request it sends is counted on the wire (an
undici interceptor on its dispatcher), retries included. Calls per cycle = calls to an endpoint divided
by the runs of the collector that makes them (inventory: org list, projects, clusters; org_metrics: the
org metrics endpoint, per organization), over at least ${cycles} cycles. Then polling is stopped and
/metrics is scraped ${scrapes} times (gzip): every API call during the scrapes is counted. Minimum: one
org-metrics call and one cluster listing per organization per cycle, none per scrape.

${table(rows)}
${command('npm run bench   # section "api budget"')}`
  return { markdown, goals, rows }
}
