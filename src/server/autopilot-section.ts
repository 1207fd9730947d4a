import type { AutopilotAction, AutopilotClusterStatus, AutopilotStatus } from '../engine/view.js'
import { html, percent, type SafeHtml, timeCell } from './html.js'

const STATE_CLASS: Readonly<Record<AutopilotClusterStatus['state'], string>> = {
  idle: 'good',
  skip: 'warn',
  expand: 'bad',
  following: 'other'
}

const OUTCOME_CLASS: Readonly<Record<string, string>> = {
  dry_run: 'other',
  requested: 'other',
  succeeded: 'good',
  failed: 'bad',
  refused: 'bad',
  skipped: 'warn'
}

function gib(bytes: number | null): string {
  return bytes === null ? '–' : `${(bytes / 1024 ** 3).toFixed(0)} GiB`
}

function hours(seconds: number | null): string {
  if (seconds === null) return 'not growing'
  return seconds < 3600 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`
}

function clusterRow(cluster: AutopilotClusterStatus): SafeHtml {
  return html`<tr>
    <td>${cluster.organizationName}</td>
    <td><strong>${cluster.name}</strong></td>
    <td>
      ${cluster.fullestNode ?? '–'}
      ${cluster.fullestUtilization === null ? '' : percent(cluster.fullestUtilization)}
    </td>
    <td>${hours(cluster.floodStageInSeconds)}</td>
    <td class="num">${gib(cluster.diskSizePerNodeBytes)}</td>
    <td><span class="badge ${STATE_CLASS[cluster.state]}">${cluster.state}</span> ${cluster.reason}</td>
  </tr>`
}

function actionRow(action: AutopilotAction, now: number): SafeHtml {
  const sizes = action.fromBytes === null ? '' : `${gib(action.fromBytes)} → ${gib(action.toBytes)}`
  return html`<tr>
    <td>${timeCell(action.at, now)}</td>
    <td>${action.clusterName}</td>
    <td><span class="badge ${OUTCOME_CLASS[action.outcome] ?? 'other'}">${action.outcome}</span></td>
    <td>${sizes}</td>
    <td>${action.reason}</td>
  </tr>`
}

function scroll(headers: readonly string[], rows: readonly SafeHtml[], empty: string): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`
  return html`<div class="scroll">
    <table>
      <thead>
        <tr>
          ${headers.map((header) => html`<th scope="col">${header}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </div>`
}

/** The status page's storage autopilot section: its mode, every cluster in scope, the recent decisions. */
export function autopilotSection(status: AutopilotStatus, now: number): SafeHtml {
  const mode =
    status.mode === 'apply'
      ? html`<span class="badge bad">apply</span> expands storage within the policy's limits`
      : html`<span class="badge other">dry-run</span> reports what it would do; sends no change`
  return html`<p>Mode: ${mode} · last evaluation ${timeCell(status.evaluatedAt, now)}</p>
    ${scroll(
      ['Organization', 'Cluster', 'Fullest node', 'Flood stage (95 %) in', 'Disk per node', 'Decision'],
      status.clusters.map(clusterRow),
      'No cluster in the policy’s scope yet.'
    )}
    <h3>Recent decisions</h3>
    ${scroll(
      ['When', 'Cluster', 'Outcome', 'Size per node', 'Reason'],
      status.recent.map((action) => actionRow(action, now)),
      'None yet.'
    )}`
}
