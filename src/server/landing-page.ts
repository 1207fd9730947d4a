import type { ClusterStatus, CollectorStatus, OrganizationStatus, StatusReport } from '../engine/view.js'
import { formatAbsolute, html, percent, SafeHtml, timeCell } from './html.js'
import { LANDING_CSS } from './landing-style.js'
import { autopilotSection } from './autopilot-section.js'

export interface LandingPageOptions {
  readonly telemetryPath: string
  readonly docsUrl: string
}

const HEALTH_CLASS: Readonly<Record<string, string>> = {
  GREEN: 'good',
  YELLOW: 'warn',
  RED: 'bad',
  UNREACHABLE: 'bad',
  SUSPENDED: 'other',
  UNKNOWN: 'other'
}

/** Relative links, so that the page also works behind a reverse proxy that adds a path prefix. */
function relative(path: string): string {
  return `.${path.startsWith('/') ? path : `/${path}`}`
}

function meter(ratio: number | null): SafeHtml {
  if (ratio === null || !Number.isFinite(ratio)) return html`<span class="muted">–</span>`
  const value = Math.min(Math.max(ratio, 0), 1)
  return html`<meter min="0" max="1" low="0.7" high="0.85" optimum="0" value="${value}"></meter>
    ${percent(ratio)}`
}

/** CPU is a rate of two polls of the organization metrics; storage is known after the first. */
function cpuCell(cluster: ClusterStatus): SafeHtml {
  if (cluster.cpuUtilization === null && cluster.storageUtilization !== null && !cluster.suspended)
    return html`<span class="muted">waiting for the second poll</span>`
  return meter(cluster.cpuUtilization)
}

function clusterRow(cluster: ClusterStatus): SafeHtml {
  const healthClass = HEALTH_CLASS[cluster.health] ?? 'other'
  const operation = cluster.runningOperation === '' ? '' : cluster.runningOperation
  return html`<tr>
    <td>${cluster.organizationName}</td>
    <td>${cluster.projectName}</td>
    <td>
      <strong>${cluster.name}</strong><br /><small><code>${cluster.id}</code></small>
    </td>
    <td>
      <span class="badge ${healthClass}">${cluster.health}</span
      >${cluster.suspended ? html` <small>suspended</small>` : ''}
    </td>
    <td class="num">${cluster.numNodes}</td>
    <td>${meter(cluster.storageUtilization)}</td>
    <td>${cpuCell(cluster)}</td>
    <td>${operation}</td>
  </tr>`
}

/** Nodes left out of the organization metrics: any at all means missing data on dashboards. */
function droppedNodesCell(organization: OrganizationStatus): SafeHtml {
  const counts = organization.orgMetricsDroppedNodes
  if (counts === null) return html`<span class="muted">–</span>`
  const nonZero = Object.entries(counts).filter(([, count]) => count > 0)
  if (nonZero.length === 0) return html`0`
  return html`<span class="warn"
    >${nonZero.map(([reason, count]) => `${reason}: ${String(count)}`).join(', ')}</span
  >`
}

function collectorRow(collector: CollectorStatus, organizations: Map<string, string>, now: number): SafeHtml {
  const organization =
    collector.organizationId === ''
      ? ''
      : (organizations.get(collector.organizationId) ?? collector.organizationId)
  const outcome =
    collector.success === null
      ? html`<span class="muted">not run yet</span>`
      : collector.success
        ? html`<span class="good">ok</span>`
        : html`<span class="bad">failed</span>`
  const error =
    collector.lastErrorReason === null
      ? ''
      : html`<span class="error"><code>${collector.lastErrorReason}</code></span>
          ${collector.lastErrorMessage ?? ''}`
  const duration =
    collector.lastDurationSeconds === null ? '–' : `${collector.lastDurationSeconds.toFixed(2)} s`
  return html`<tr>
    <td><code>${collector.collector}</code></td>
    <td>${organization}</td>
    <td>${outcome}${collector.stale ? html` <span class="warn">stale</span>` : ''}</td>
    <td>${timeCell(collector.lastSuccessAt, now)}</td>
    <td class="num">${duration}</td>
    <td>${error}</td>
    <td>${timeCell(collector.nextRunAt, now)}</td>
    <td class="num">${collector.intervalSeconds} s</td>
  </tr>`
}

function table(
  headers: readonly (string | readonly [string, 'num'])[],
  rows: readonly SafeHtml[],
  empty: string
): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`
  const head = headers.map((header) =>
    typeof header === 'string'
      ? html`<th scope="col">${header}</th>`
      : html`<th scope="col" class="num">${header[0]}</th>`
  )
  return html`<div class="scroll">
    <table>
      <thead>
        <tr>
          ${head}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`
}

function apiSection(status: StatusReport): SafeHtml {
  const errors = Object.entries(status.api.errors).filter(([, count]) => count !== undefined && count > 0)
  const errorText =
    errors.length === 0 ? 'none' : errors.map(([reason, count]) => `${reason}: ${String(count)}`).join(', ')
  const credentials = status.api.credentials.map(
    (credential) =>
      html`<tr>
        <td>${credential.name}</td>
        <td>
          ${credential.active ? html`<span class="badge good">active</span>` : html`<span class="muted">standby</span>`}
        </td>
        <td>${credential.lastOutcome ?? html`<span class="muted">unused</span>`}</td>
        <td>${timeCell(credential.lastFailureAt, status.now)}</td>
      </tr>`
  )
  return html`<dl>
      <dt>API</dt>
      <dd><code>${status.apiUrl}</code></dd>
      <dt>Shard</dt>
      <dd>
        ${
          status.shard.total > 1
            ? `${status.shard.ordinal} of ${status.shard.total} (ordinals from 0): this exporter polls only its share of the organizations`
            : 'unsharded: every organization the key can see'
        }
      </dd>
      <dt>Requests</dt>
      <dd>${status.api.requests}</dd>
      <dt>Errors by reason</dt>
      <dd>${errorText}</dd>
    </dl>
    <h3>API keys</h3>
    ${table(['Name', 'State', 'Last outcome', 'Last authentication failure'], credentials, 'No API key configured.')}`
}

/** The HTML status page at "/": readable without JavaScript, no external assets. */
export function renderLandingPage(status: StatusReport, options: LandingPageOptions): string {
  const organizations = new Map(
    status.organizations.map((organization) => [organization.id, organization.name])
  )
  const links: readonly [string, string, string][] = [
    [relative(options.telemetryPath), 'Metrics', 'what Prometheus scrapes'],
    ['./status', 'Status', 'this page as JSON'],
    ['./healthz', 'Health', 'liveness'],
    ['./readyz', 'Readiness', 'ready after the first complete collection'],
    [options.docsUrl, 'Documentation', '']
  ]
  const banner = status.ready
    ? html`<p class="banner ok">Ready${status.problem === null ? '' : html` – ${status.problem}`}</p>`
    : html`<p class="banner bad">
        Not ready: ${status.problem ?? 'waiting for the first complete collection'}
      </p>`
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>CrateDB Cloud exporter</title>
        ${new SafeHtml(`<style>${LANDING_CSS}</style>`)}
      </head>
      <body>
        <header>
          <h1>CrateDB Cloud exporter</h1>
          <p class="meta">version ${status.version} · started ${timeCell(status.startedAt, status.now)}</p>
        </header>
        <nav>
          <ul>
            ${links.map(([href, label, hint]) => html`<li><a href="${href}">${label}</a>${hint === '' ? '' : html` <small>${hint}</small>`}</li>`)}
          </ul>
        </nav>
        ${banner}
        <h2>Organizations</h2>
        ${table(
          ['Name', 'ID', 'Metrics nodes dropped'],
          status.organizations.map(
            (organization) =>
              html`<tr>
                <td>${organization.name}</td>
                <td><code>${organization.id}</code></td>
                <td>${droppedNodesCell(organization)}</td>
              </tr>`
          ),
          'No organization seen yet.'
        )}
        <h2>Clusters</h2>
        ${table(
          ['Organization', 'Project', 'Cluster', 'Health', ['Nodes', 'num'], 'Storage', 'CPU', 'Operation'],
          status.clusters.map(clusterRow),
          'No cluster seen yet.'
        )}
        <h2>Collectors</h2>
        ${table(
          [
            'Collector',
            'Organization',
            'Last run',
            'Last success',
            ['Duration', 'num'],
            'Last error',
            'Next poll',
            ['Interval', 'num']
          ],
          status.collectors.map((collector) => collectorRow(collector, organizations, status.now)),
          'No collector has run yet.'
        )}
        ${
          status.autopilot === undefined
            ? ''
            : html`<h2>Storage autopilot</h2>
                ${autopilotSection(status.autopilot, status.now)}`
        }
        <h2>CrateDB Cloud API</h2>
        ${apiSection(status)}
        <footer>
          Page rendered ${formatAbsolute(status.now)}; relative times are as of then. Reload to refresh.
        </footer>
      </body>
    </html> `
  return page.html
}
