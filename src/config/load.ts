/**
 * Builds the exporter's Config from four sources. For each setting the first source that sets it wins:
 *
 *   1. command-line flags (RUN_FLAGS, e.g. --api.timeout=20s)
 *   2. environment variables (CRATEDB_CLOUD_API_URL, CRATEDB_CLOUD_EXPORTER_LOG_LEVEL, ...)
 *   3. the YAML file given by --config.file or CRATEDB_CLOUD_EXPORTER_CONFIG_FILE
 *   4. defaults (src/config/settings.ts, src/collectors/names.ts)
 *
 * Credentials come from the environment (CRATEDB_CLOUD_API_KEY/_SECRET or their *_FILE forms) when any of
 * those variables is set, otherwise from the file's api.credentials. Every problem is collected and
 * reported at once in a ConfigError; docs/configuration.md describes every key.
 */
import { COLLECTOR_DEFAULTS, COLLECTOR_NAMES, type CollectorName } from '../collectors/names.js'
import { parseStorageAutopilot } from './autopilot.js'
import { MISSING_CREDENTIALS, credentialFromEnv, credentialsFromYaml } from './credentials.js'
import { ConfigError } from './errors.js'
import type { FlagValue } from './flag-types.js'
import type { LogFormatChoice } from './log-options.js'
import { formatDuration, type Parser } from './parse.js'
import { CONFIG_FILE_ENV, CONFIG_FILE_FLAG, SETTINGS } from './settings.js'
import type { CollectorConfig, Config, CredentialConfig, LogLevel, NameFilter } from './types.js'
import { readYamlSource } from './yaml-source.js'

export interface LoadConfigInput {
  readonly flags: ReadonlyMap<string, FlagValue>
  readonly env: NodeJS.ProcessEnv
  readonly readFile: (path: string) => string
  /** Whether logs go to a terminal; resolves log format "auto". Default false (json). */
  readonly isTty?: boolean
  /** `run` needs an API key; other commands may not. Default true. */
  readonly requireCredentials?: boolean
}

export interface LoadedConfig {
  readonly config: Config
  /** Accepted but questionable choices, to be logged at start. */
  readonly warnings: readonly string[]
}

export function loadConfig(input: LoadConfigInput): LoadedConfig {
  const problems: string[] = []
  const warnings: string[] = []

  const file = configFilePath(input)
  let yamlValues = new Map<string, unknown>()
  let yamlCredentials: unknown
  let yamlAutopilot: unknown
  let fileUnusable = false
  if (file !== undefined) {
    let text: string | undefined
    try {
      text = input.readFile(file)
    } catch (error) {
      const code = (error as { code?: unknown }).code
      fileUnusable = true
      problems.push(
        `--${CONFIG_FILE_FLAG}: cannot read ${JSON.stringify(file)} (${typeof code === 'string' ? code : 'error'})`
      )
    }
    if (text !== undefined) {
      const source = readYamlSource(text, file, problems)
      yamlValues = source.values
      yamlCredentials = source.credentials
      yamlAutopilot = source.autopilot
      fileUnusable = source.broken
    }
  }

  const values = new Map<string, unknown>()
  for (const setting of SETTINGS) {
    const fromFlag = setting.flag === undefined ? undefined : input.flags.get(setting.flag.name)
    const fromEnv = setting.env === undefined ? undefined : nonEmpty(input.env[setting.env])
    let chosen: unknown = setting.defaultValue
    if (fromFlag !== undefined)
      chosen = parseFrom(setting.parse, fromFlag, `--${setting.flag?.name ?? ''}`, problems)
    else if (fromEnv !== undefined) chosen = parseFrom(setting.parse, fromEnv, setting.env ?? '', problems)
    else if (yamlValues.has(setting.path)) chosen = yamlValues.get(setting.path)
    values.set(setting.path, chosen)
  }

  const context = { readFile: input.readFile, problems, warnings }
  const fromEnv = credentialFromEnv(input.env, context)
  const credentials: CredentialConfig[] =
    fromEnv !== null ? [fromEnv] : credentialsFromYaml(yamlCredentials, context)
  if (fromEnv !== null && yamlCredentials !== undefined) {
    warnings.push(
      'api.credentials: ignored, because CRATEDB_CLOUD_API_* environment variables set the API key'
    )
  }
  const credentialVariablesSet = Object.keys(input.env).some(
    (name) => name.startsWith('CRATEDB_CLOUD_API_KEY') || name.startsWith('CRATEDB_CLOUD_API_SECRET')
  )
  if (
    credentials.length === 0 &&
    (input.requireCredentials ?? true) &&
    !fileUnusable &&
    !problems.some((p) => p.startsWith('api.credentials') || p.startsWith('CRATEDB_CLOUD_API_'))
  ) {
    problems.push(
      credentialVariablesSet
        ? `${MISSING_CREDENTIALS} (the CRATEDB_CLOUD_API_* variables are empty)`
        : MISSING_CREDENTIALS
    )
  }

  const storageAutopilot = yamlAutopilot === undefined ? null : parseStorageAutopilot(yamlAutopilot, problems)
  const sharding = shardingOf(values, input.env, problems)

  if (problems.length > 0) throw new ConfigError(problems)

  const get = <T>(path: string): T => values.get(path) as T
  const collectors = {} as Record<CollectorName, CollectorConfig>
  for (const name of COLLECTOR_NAMES) collectors[name] = collectorConfig(name, get, warnings)
  collectors.org_metrics = withinBudget(
    collectors.org_metrics,
    get<number>('api.org_metrics_window'),
    warnings
  )
  const filter = (kind: string): NameFilter => ({
    include: get<string[]>(`filters.${kind}.include`),
    exclude: get<string[]>(`filters.${kind}.exclude`)
  })
  const format = get<LogFormatChoice>('log.format')

  const config: Config = {
    web: {
      listenAddress: get('web.listen_address'),
      telemetryPath: get('web.telemetry_path'),
      configFile: get<string | null>('web.config_file'),
      maxConnections: get('web.max_connections'),
      headersTimeoutSeconds: get('web.headers_timeout'),
      externalUrl: get<string | null>('web.external_url'),
      probeOnly: get<boolean>('web.probe_only')
    },
    api: {
      url: get('api.url'),
      requestTimeoutSeconds: get('api.timeout'),
      maxResponseBytes: get('api.max_response_bytes'),
      maxMetricsResponseBytes: get('api.max_metrics_response_bytes'),
      maxConcurrency: get('api.max_concurrency'),
      orgMetricsWindowSeconds: get('api.org_metrics_window'),
      credentials
    },
    collectors,
    filters: {
      organizations: filter('organizations'),
      projects: filter('projects'),
      clusters: filter('clusters')
    },
    sharding,
    maxStalenessIntervals: get('max_staleness_intervals'),
    orgMetrics: {
      maxNodes: get('collectors.org_metrics.max_nodes'),
      maxNodesPerCluster: get('collectors.org_metrics.max_nodes_per_cluster')
    },
    log: {
      level: get<LogLevel>('log.level'),
      format: format === 'auto' ? (input.isTty === true ? 'pretty' : 'json') : format
    },
    ...(storageAutopilot === null ? {} : { autopilot: { storage: storageAutopilot } })
  }
  return { config: deepFreeze(config), warnings }
}

/** The environment variable a StatefulSet sets from metadata.name (the downward API). */
export const POD_NAME_ENV = 'POD_NAME'

/**
 * The shard ordinal comes from --shard, or with --shard.from-pod-name from the trailing number of the
 * pod name, as a StatefulSet numbers its pods: the same manifest then runs every shard.
 */
function shardingOf(
  values: ReadonlyMap<string, unknown>,
  env: NodeJS.ProcessEnv,
  problems: string[]
): { total: number; ordinal: number } {
  const total = values.get('sharding.total_shards') as number | undefined
  let ordinal = values.get('sharding.shard') as number | undefined
  if (values.get('sharding.from_pod_name') === true) {
    const podName = nonEmpty(env[POD_NAME_ENV])
    const match = podName === undefined ? null : /-(\d+)$/.exec(podName.trim())
    if (podName === undefined) {
      problems.push(
        `--shard.from-pod-name: ${POD_NAME_ENV} is not set (give it the pod name through the downward API, fieldRef metadata.name)`
      )
    } else if (match === null) {
      problems.push(
        `--shard.from-pod-name: ${POD_NAME_ENV}=${JSON.stringify(podName.slice(0, 80))} does not end in "-<ordinal>" like a StatefulSet pod`
      )
    } else ordinal = Number(match[1])
  }
  if (total !== undefined && ordinal !== undefined && ordinal >= total) {
    problems.push(`--shard: ${ordinal} must be less than --total-shards (${total}); shards count from 0`)
  }
  return { total: total ?? 1, ordinal: ordinal ?? 0 }
}

function configFilePath(input: LoadConfigInput): string | undefined {
  const flag = input.flags.get(CONFIG_FILE_FLAG)
  if (typeof flag === 'string' && flag.trim() !== '') return flag
  return nonEmpty(input.env[CONFIG_FILE_ENV])
}

function collectorConfig(
  name: CollectorName,
  get: <T>(path: string) => T,
  warnings: string[]
): CollectorConfig {
  const defaults = COLLECTOR_DEFAULTS[name]
  const intervalSeconds = get<number>(`collectors.${name}.interval`)
  const explicitTimeout = get<number | undefined>(`collectors.${name}.timeout`)
  const enabled = get<boolean>(`collectors.${name}.enabled`)
  // The org_metrics interval is checked against the configured rate-limit window (withinBudget).
  if (enabled && name !== 'org_metrics' && intervalSeconds < defaults.minIntervalSeconds) {
    const every =
      defaults.minIntervalSeconds === 60
        ? 'once a minute'
        : `once every ${formatDuration(defaults.minIntervalSeconds)}`
    warnings.push(
      `collectors.${name}.interval: ${formatDuration(intervalSeconds)} is shorter than ${formatDuration(defaults.minIntervalSeconds)}: ` +
        `the API refreshes this data at most ${every}, so faster polling only costs requests`
    )
  }
  if (explicitTimeout !== undefined && explicitTimeout > intervalSeconds) {
    warnings.push(
      `collectors.${name}.timeout: ${formatDuration(explicitTimeout)} is longer than the interval ${formatDuration(intervalSeconds)}; ` +
        'a slow run delays the next one'
    )
  }
  // Without an explicit timeout, a run must end before the next one is due.
  const timeoutSeconds = explicitTimeout ?? Math.min(defaults.timeoutSeconds, intervalSeconds)
  return { enabled, intervalSeconds, timeoutSeconds }
}

/**
 * The organization metrics endpoint answers one request per organization per window: an interval
 * shorter than the window is raised to it, since faster polling would only read the same data again
 * or be refused.
 */
function withinBudget(config: CollectorConfig, windowSeconds: number, warnings: string[]): CollectorConfig {
  if (!config.enabled || config.intervalSeconds >= windowSeconds) return config
  warnings.push(
    `collectors.org_metrics.interval: ${formatDuration(config.intervalSeconds)} is shorter than the API's rate-limit window ` +
      `of ${formatDuration(windowSeconds)} (api.org_metrics_window): raised to ${formatDuration(windowSeconds)}; ` +
      'the endpoint answers one request per organization per window'
  )
  return {
    ...config,
    intervalSeconds: windowSeconds,
    timeoutSeconds: Math.max(
      config.timeoutSeconds,
      Math.min(COLLECTOR_DEFAULTS.org_metrics.timeoutSeconds, windowSeconds)
    )
  }
}

function parseFrom(parse: Parser<unknown>, raw: unknown, where: string, problems: string[]): unknown {
  const parsed = parse(raw)
  if (parsed.ok) return parsed.value
  problems.push(`${where}: ${parsed.error}`)
  return undefined
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
