import { type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard'
import { DASHBOARD_UIDS, dashboard } from './base.js'
import {
  datasourceVariable,
  instantQuery,
  labelStat,
  labelVariable,
  rangeQuery,
  stat,
  stateTimeline,
  thresholds,
  timeseries,
  valueText
} from './panels.js'
import { THRESHOLDS } from './thresholds.js'

const E = 'job=~"$job", instance=~"$instance"'
const RATE = '$__rate_interval'
/** The exporter calls the API about once a minute: rates need a window of a few calls. */
const INTERVAL = '2m'
const ORG_METRICS_ENDPOINT = '/api/v2/organizations/{organization_id}/metrics/prometheus/'
const quantile = (q: number, by: string): string =>
  `histogram_quantile(${q}, sum by (${by}) (rate(cratedb_cloud_api_request_duration_seconds_bucket{${E}}[${RATE}])))`

function headlineRow(d: ReturnType<typeof dashboard>): void {
  d.withRow(new RowBuilder('Exporter'))
    .withPanel(
      stat('Exporter up', [instantQuery(`min(up{${E}})`)], {
        mappings: valueText({ '0': ['down', 'red'], '1': ['up', 'green'] }),
        width: 4
      })
    )
    .withPanel(
      labelStat(
        'Version',
        `cratedb_cloud_exporter_build_info{${E}}`,
        '{{version}} ({{revision}}, Node.js {{nodejs_version}})',
        {
          width: 5
        }
      )
    )
    .withPanel(
      labelStat('Active API key', `cratedb_cloud_api_credential_active{${E}} == 1`, '{{credential}}', {
        width: 5,
        noValue: 'none'
      })
    )
    .withPanel(
      stat(
        'API key failovers',
        [instantQuery(`sum(increase(cratedb_cloud_api_credential_failovers_total{${E}}[$__range]))`)],
        {
          thresholds: thresholds([null, 'green'], [1, 'orange']),
          noValue: '0',
          width: 5,
          description:
            'Switches to another API key after an authentication failure, in the selected time range.'
        }
      )
    )
    .withPanel(
      stat('API errors', [instantQuery(`sum(increase(cratedb_cloud_api_errors_total{${E}}[$__range]))`)], {
        thresholds: thresholds([null, 'green'], [1, 'orange']),
        noValue: '0',
        width: 5,
        description: 'Failed CrateDB Cloud API requests in the selected time range.'
      })
    )
}

function apiRow(d: ReturnType<typeof dashboard>): void {
  d.withRow(new RowBuilder('CrateDB Cloud API'))
    .withPanel(
      timeseries(
        'API requests by endpoint',
        [
          rangeQuery(
            `sum by (endpoint) (rate(cratedb_cloud_api_requests_total{${E}}[${RATE}]))`,
            '{{endpoint}}'
          )
        ],
        { unit: 'reqps', min: 0, interval: INTERVAL }
      )
    )
    .withPanel(
      timeseries(
        'API errors by reason',
        [rangeQuery(`sum by (reason) (rate(cratedb_cloud_api_errors_total{${E}}[${RATE}]))`, '{{reason}}')],
        { unit: 'reqps', min: 0, interval: INTERVAL }
      )
    )
    .withPanel(
      timeseries(
        'API latency',
        [
          rangeQuery(quantile(0.5, 'le'), 'p50'),
          rangeQuery(quantile(0.9, 'le'), 'p90'),
          rangeQuery(quantile(0.99, 'le'), 'p99')
        ],
        { unit: 's', min: 0, interval: INTERVAL }
      )
    )
    .withPanel(
      timeseries('API latency p90 by endpoint', [rangeQuery(quantile(0.9, 'endpoint, le'), '{{endpoint}}')], {
        unit: 's',
        min: 0,
        interval: INTERVAL
      })
    )
    .withPanel(
      timeseries(
        'Organization metrics requests vs budget',
        [
          rangeQuery(
            `sum(rate(cratedb_cloud_api_requests_total{${E}, endpoint="${ORG_METRICS_ENDPOINT}"}[5m])) * 60`,
            'requests per minute'
          ),
          rangeQuery(
            `count(cratedb_cloud_collector_success{${E}, collector="org_metrics"}) * ${THRESHOLDS.orgMetricsRequestsPerMinute}`,
            'budget: 1 per minute per organization'
          )
        ],
        {
          min: 0,
          description:
            'The organization metrics endpoint allows one request per minute per organization; retries count too.'
        }
      )
    )
    .withPanel(
      timeseries(
        'Organization metrics polls per minute',
        [
          rangeQuery(
            `sum by (organization_id) (rate(cratedb_cloud_collector_runs_total{${E}, collector="org_metrics"}[5m])) * 60`,
            '{{organization_id}}'
          )
        ],
        {
          min: 0,
          thresholds: thresholds([null, 'green'], [THRESHOLDS.orgMetricsRequestsPerMinute, 'red']),
          showThresholds: true,
          description: 'Runs of the org_metrics collector per organization; the dashed line is the API limit.'
        }
      )
    )
}

function collectorRow(d: ReturnType<typeof dashboard>): void {
  const byCollector = '{{collector}} {{organization_id}}'
  d.withRow(new RowBuilder('Collectors'))
    .withPanel(
      stateTimeline('Collector success', [rangeQuery(`cratedb_cloud_collector_success{${E}}`, byCollector)], {
        mappings: valueText({ '0': ['failed', 'red'], '1': ['ok', 'green'] })
      })
    )
    .withPanel(
      timeseries(
        'Data age per collector',
        [rangeQuery(`time() - cratedb_cloud_collector_last_success_timestamp_seconds{${E}}`, byCollector)],
        {
          unit: 's',
          min: 0,
          thresholds: thresholds([null, 'green'], [THRESHOLDS.dataStaleSeconds, 'red']),
          showThresholds: true,
          description:
            'Time since the last successful run. The dashed line is the staleness alert for inventory and org_metrics.'
        }
      )
    )
    .withPanel(
      timeseries(
        'Collector duration',
        [rangeQuery(`cratedb_cloud_collector_duration_seconds{${E}}`, byCollector)],
        {
          unit: 's',
          min: 0
        }
      )
    )
    .withPanel(
      timeseries(
        'Collector failures (5 min)',
        [
          // The failure counter appears with a collector's first failure; a collector that has only run
          // shows a zero line, so "no failures" and "no data" look different.
          rangeQuery(
            `sum by (collector, organization_id) (increase(cratedb_cloud_collector_failures_total{${E}}[5m])) ` +
              `or sum by (collector, organization_id) (cratedb_cloud_collector_runs_total{${E}}) * 0`,
            byCollector
          )
        ],
        { min: 0 }
      )
    )
    .withPanel(
      timeseries(
        'Upstream sample age',
        [
          rangeQuery(
            `time() - cratedb_cloud_org_metrics_newest_sample_timestamp_seconds{${E}}`,
            '{{organization_id}}'
          )
        ],
        { unit: 's', min: 0, description: 'Age of the newest sample in the last organization metrics body.' }
      )
    )
    .withPanel(
      timeseries(
        'Organization metrics body',
        [
          rangeQuery(`cratedb_cloud_org_metrics_body_bytes{${E}}`, '{{organization_id}} bytes'),
          rangeQuery(`cratedb_cloud_org_metrics_invalid_lines{${E}}`, '{{organization_id}} invalid lines')
        ],
        { min: 0 }
      ).overrideByRegexp('.* bytes', [{ id: 'unit', value: 'bytes' }])
    )
}

function credentialRow(d: ReturnType<typeof dashboard>): void {
  d.withRow(new RowBuilder('API keys and scrapes'))
    .withPanel(
      stateTimeline(
        'API key in use',
        [rangeQuery(`cratedb_cloud_api_credential_active{${E}}`, '{{credential}}')],
        {
          mappings: valueText({ '0': ['standby', 'text'], '1': ['active', 'green'] }),
          width: 8
        }
      )
    )
    .withPanel(
      timeseries(
        'Authentication failures per key (5 min)',
        [
          rangeQuery(
            `sum by (credential) (increase(cratedb_cloud_api_credential_failures_total{${E}}[5m]))`,
            '{{credential}}'
          ),
          rangeQuery(`sum(increase(cratedb_cloud_api_credential_failovers_total{${E}}[5m]))`, 'failovers')
        ],
        { min: 0, width: 8 }
      )
    )
    .withPanel(
      timeseries(
        'Scrapes of the exporter',
        [
          rangeQuery(
            `sum by (format) (rate(cratedb_cloud_exporter_scrapes_total{${E}}[${RATE}]))`,
            '{{format}}'
          ),
          rangeQuery(`scrape_duration_seconds{${E}}`, 'scrape duration {{instance}}')
        ],
        { min: 0, width: 8 }
      ).overrideByRegexp('scrape duration.*', [{ id: 'unit', value: 's' }])
    )
}

export function buildExporter(): Dashboard {
  const d = dashboard(
    DASHBOARD_UIDS.exporter,
    'CrateDB Cloud / Exporter',
    'cratedb-cloud-exporter itself: CrateDB Cloud API requests, errors, latency and budget, collector success and freshness, API keys.'
  )
    .withVariable(datasourceVariable())
    .withVariable(
      labelVariable('job', {
        label: 'Job',
        selector: 'cratedb_cloud_exporter_build_info',
        labelName: 'job',
        all: true
      })
    )
    .withVariable(
      labelVariable('instance', {
        label: 'Instance',
        selector: 'cratedb_cloud_exporter_build_info{job=~"$job"}',
        labelName: 'instance',
        all: true
      })
    )
  headlineRow(d)
  apiRow(d)
  collectorRow(d)
  credentialRow(d)
  return d.build()
}
