/**
 * Every scalar setting once: its YAML path, parser, default, and the flag and environment variable that
 * may also set it. Credentials and filters are lists and live in the YAML file (credentials also in the
 * environment); see credentials.ts.
 */
import { COLLECTOR_DEFAULTS, COLLECTOR_NAMES, type CollectorName } from '../collectors/names.js'
import { LOG_FORMAT_CHOICES, LOG_LEVELS } from './log-options.js'
import {
  apiUrl,
  boolean,
  duration,
  externalUrl,
  formatDuration,
  listenAddress,
  nonNegativeInteger,
  oneOf,
  positiveInteger,
  positiveNumber,
  regexList,
  text,
  urlPath,
  type Parser
} from './parse.js'

export interface Setting {
  /** Dotted YAML path, e.g. "collectors.org_metrics.interval". */
  readonly path: string
  readonly parse: Parser<unknown>
  /** Parsed default; undefined where the loader computes it (collector timeouts). */
  readonly defaultValue: unknown
  readonly defaultText?: string
  readonly flag?: {
    readonly name: string
    readonly type: 'string' | 'boolean'
    readonly help: string
    readonly placeholder?: string
  }
  readonly env?: string
  readonly help: string
}

const ENV = 'CRATEDB_CLOUD_EXPORTER_'

export const DEFAULT_API_URL = 'https://console.cratedb.cloud'
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
export const DEFAULT_MAX_METRICS_RESPONSE_BYTES = 2 * 1024 * 1024 * 1024

function collectorSettings(name: CollectorName): Setting[] {
  const defaults = COLLECTOR_DEFAULTS[name]
  return [
    {
      path: `collectors.${name}.enabled`,
      parse: boolean,
      defaultValue: defaults.enabled,
      defaultText: String(defaults.enabled),
      flag: {
        name: `collector.${name}`,
        type: 'boolean',
        help: `Enable the ${name} collector: ${defaults.description}.`
      },
      help: `Enable the ${name} collector.`
    },
    {
      path: `collectors.${name}.interval`,
      parse: duration,
      defaultValue: defaults.intervalSeconds,
      defaultText: formatDuration(defaults.intervalSeconds),
      flag: {
        name: `collector.${name}.interval`,
        type: 'string',
        help: `How often the ${name} collector polls the API.`,
        placeholder: 'DURATION'
      },
      help: `Polling interval of the ${name} collector.`
    },
    {
      path: `collectors.${name}.timeout`,
      parse: duration,
      defaultValue: undefined,
      defaultText: formatDuration(defaults.timeoutSeconds),
      help: `Deadline of one run of the ${name} collector, retries included (at most the interval).`
    }
  ]
}

export const SETTINGS: readonly Setting[] = [
  {
    path: 'web.listen_address',
    parse: listenAddress,
    defaultValue: ':9863',
    defaultText: ':9863',
    flag: {
      name: 'web.listen-address',
      type: 'string',
      help: 'Address on which to expose metrics and the status page.',
      placeholder: 'ADDRESS'
    },
    env: `${ENV}WEB_LISTEN_ADDRESS`,
    help: 'host:port to listen on.'
  },
  {
    path: 'web.telemetry_path',
    parse: urlPath,
    defaultValue: '/metrics',
    defaultText: '/metrics',
    flag: { name: 'web.telemetry-path', type: 'string', help: 'Path under which to expose metrics.' },
    help: 'Path of the metrics endpoint.'
  },
  {
    path: 'web.config_file',
    parse: text,
    defaultValue: null,
    flag: {
      name: 'web.config.file',
      type: 'string',
      help: 'Web configuration file (TLS, basic auth), exporter-toolkit format.',
      placeholder: 'FILE'
    },
    env: `${ENV}WEB_CONFIG_FILE`,
    help: 'exporter-toolkit web configuration file.'
  },
  {
    path: 'web.max_connections',
    parse: positiveInteger(100_000),
    defaultValue: 256,
    defaultText: '256',
    flag: {
      name: 'web.max-connections',
      type: 'string',
      help: 'Most open HTTP connections; further ones are closed at once.',
      placeholder: 'N'
    },
    help: 'Most open HTTP connections at once.'
  },
  {
    path: 'web.headers_timeout',
    parse: duration,
    defaultValue: 10,
    defaultText: '10s',
    flag: {
      name: 'web.headers-timeout',
      type: 'string',
      help: 'Time a client has to send its request headers.',
      placeholder: 'DURATION'
    },
    help: 'Time a client has to send its request headers before the connection is closed.'
  },
  {
    path: 'web.external_url',
    parse: externalUrl,
    defaultValue: null,
    flag: {
      name: 'web.external-url',
      type: 'string',
      help: 'URL under which Prometheus reaches the exporter; /sd gives its host and scheme as the address of every cluster target (default: the Host header of the /sd request).',
      placeholder: 'URL'
    },
    env: `${ENV}WEB_EXTERNAL_URL`,
    help: 'URL under which Prometheus reaches the exporter, for the targets of /sd.'
  },
  {
    path: 'web.probe_only',
    parse: boolean,
    defaultValue: false,
    defaultText: 'false',
    flag: {
      name: 'web.probe-only',
      type: 'boolean',
      help: 'Leave the cluster and node families out of the telemetry path: they are served per cluster by /probe (targets from /sd), so nothing is stored twice.'
    },
    help: 'Serve cluster and node families only on /probe, not on the telemetry path.'
  },
  {
    path: 'sharding.total_shards',
    parse: positiveInteger(1000),
    defaultValue: 1,
    defaultText: '1',
    flag: {
      name: 'total-shards',
      type: 'string',
      help: 'Number of exporters that split the organizations between them (by a stable hash of the organization id).',
      placeholder: 'N'
    },
    env: `${ENV}TOTAL_SHARDS`,
    help: 'Number of shards the organizations are split into.'
  },
  {
    path: 'sharding.shard',
    parse: nonNegativeInteger(999),
    defaultValue: 0,
    defaultText: '0',
    flag: {
      name: 'shard',
      type: 'string',
      help: 'Ordinal of this exporter among --total-shards, from 0.',
      placeholder: 'I'
    },
    env: `${ENV}SHARD`,
    help: 'Ordinal of this shard, from 0 to total_shards - 1.'
  },
  {
    path: 'sharding.from_pod_name',
    parse: boolean,
    defaultValue: false,
    defaultText: 'false',
    flag: {
      name: 'shard.from-pod-name',
      type: 'boolean',
      help: 'Take the shard ordinal from the trailing number of the POD_NAME environment variable (a StatefulSet pod, e.g. cratedb-cloud-exporter-2).'
    },
    env: `${ENV}SHARD_FROM_POD_NAME`,
    help: 'Take the shard ordinal from the StatefulSet pod name in POD_NAME.'
  },
  {
    path: 'api.url',
    parse: apiUrl,
    defaultValue: DEFAULT_API_URL,
    defaultText: DEFAULT_API_URL,
    flag: {
      name: 'api.url',
      type: 'string',
      help: 'CrateDB Cloud API base URL (https; http only for loopback).',
      placeholder: 'URL'
    },
    env: 'CRATEDB_CLOUD_API_URL',
    help: 'CrateDB Cloud API base URL.'
  },
  {
    path: 'api.timeout',
    parse: duration,
    defaultValue: 15,
    defaultText: '15s',
    flag: {
      name: 'api.timeout',
      type: 'string',
      help: 'Timeout of one HTTP request to the API, body included.',
      placeholder: 'DURATION'
    },
    help: 'Timeout of one API request.'
  },
  {
    path: 'api.max_response_bytes',
    parse: positiveInteger(),
    defaultValue: DEFAULT_MAX_RESPONSE_BYTES,
    defaultText: String(DEFAULT_MAX_RESPONSE_BYTES),
    help: 'Largest JSON response body accepted (JSON bodies are held in memory whole).'
  },
  {
    path: 'api.max_metrics_response_bytes',
    parse: positiveInteger(),
    defaultValue: DEFAULT_MAX_METRICS_RESPONSE_BYTES,
    defaultText: String(DEFAULT_MAX_METRICS_RESPONSE_BYTES),
    help: 'Largest organization metrics body accepted; it is read as a stream and never held whole (1,000 clusters send about 250 MB).'
  },
  {
    path: 'api.max_concurrency',
    parse: positiveInteger(64),
    defaultValue: 4,
    defaultText: '4',
    help: 'Most API requests in flight at once.'
  },
  {
    path: 'api.org_metrics_window',
    parse: duration,
    defaultValue: 60,
    defaultText: '1m',
    flag: {
      name: 'api.org-metrics-window',
      type: 'string',
      help: 'Rate-limit window of the organization metrics endpoint: one request per organization per window.',
      placeholder: 'DURATION'
    },
    help: 'Rate-limit window of the organization metrics endpoint, per organization, counted by the API from its last fresh answer. The exporter adds 1 s of margin.'
  },
  ...COLLECTOR_NAMES.flatMap(collectorSettings),
  {
    path: 'collectors.org_metrics.max_nodes',
    parse: positiveInteger(1_000_000),
    // 10,000 clusters of up to 9 nodes: nodes are kept only for clusters the inventory lists, so the
    // limit guards memory against a body of unknown size, not against a large organization.
    defaultValue: 100_000,
    defaultText: '100000',
    flag: {
      name: 'collector.org_metrics.max-nodes',
      type: 'string',
      help: 'Most nodes kept from one organization metrics body; more are dropped and counted.',
      placeholder: 'N'
    },
    help: 'Most nodes kept from one organization metrics body; more are dropped and counted.'
  },
  {
    path: 'collectors.org_metrics.max_nodes_per_cluster',
    parse: positiveInteger(100_000),
    defaultValue: 100,
    defaultText: '100',
    help: 'Most nodes kept per cluster from one organization metrics body; more are dropped and counted.'
  },
  ...(['organizations', 'projects', 'clusters'] as const).flatMap((kind) =>
    (['include', 'exclude'] as const).map((which): Setting => ({
      path: `filters.${kind}.${which}`,
      parse: regexList,
      defaultValue: [],
      help: `Regular expressions (anchored) over ${kind} names and ids to ${which}.`
    }))
  ),
  {
    path: 'max_staleness_intervals',
    parse: positiveNumber,
    defaultValue: 3,
    defaultText: '3',
    help: 'Data older than this many intervals of its collector is withdrawn.'
  },
  {
    path: 'log.level',
    parse: oneOf(LOG_LEVELS),
    defaultValue: 'info',
    defaultText: 'info',
    flag: {
      name: 'log.level',
      type: 'string',
      help: `Only log messages with this severity or above: ${LOG_LEVELS.join(', ')}.`
    },
    env: `${ENV}LOG_LEVEL`,
    help: 'Log level.'
  },
  {
    path: 'log.format',
    parse: oneOf(LOG_FORMAT_CHOICES),
    defaultValue: 'auto',
    defaultText: 'auto',
    flag: {
      name: 'log.format',
      type: 'string',
      help: 'Log format: json, pretty, or auto (pretty on a terminal, json otherwise).'
    },
    env: `${ENV}LOG_FORMAT`,
    help: 'Log format.'
  }
]

export const CONFIG_FILE_FLAG = 'config.file'
export const CONFIG_FILE_ENV = `${ENV}CONFIG_FILE`
