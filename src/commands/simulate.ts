import { randomBytes } from 'node:crypto'
import {
  UsageError,
  booleanFlag,
  formatHelp,
  listFlag,
  numberFlag,
  parseFlags,
  stringFlag,
  type CommandSpec
} from '../cli/flags.js'
import { COMMANDS, PROGRAM, type Command } from '../cli/io.js'
import { parseListenAddress } from '../config/listen-address.js'
import { createLogger, type LogFormat, type LogLevel } from '../logger.js'
import { explainListen } from '../cli/listen-error.js'
import { createSimulatorClock } from '../simulator/clock.js'
import { FaultSpecError, parseFaultRule, type FaultRule } from '../simulator/faults.js'
import { startSimulator } from '../simulator/index.js'
import type { ScenarioSpec } from '../simulator/scenario.js'

export const simulateSpec: CommandSpec = {
  name: 'simulate',
  summary:
    'Run a stand-in CrateDB Cloud API (JSON endpoints, org metrics, operations, faults) for tests and demos.',
  flags: [
    {
      name: 'listen-address',
      type: 'string',
      help: 'HOST:PORT to listen on; port 0 picks a free one; an empty host means 127.0.0.1.',
      defaultText: '127.0.0.1:8080'
    },
    {
      name: 'seed',
      type: 'string',
      help: 'Seed of the scenario, ids and credentials (same seed, same world).',
      defaultText: '1'
    },
    {
      name: 'scenario',
      type: 'string',
      help: 'demo (one cluster of every kind a dashboard shows) or generated.',
      defaultText: 'demo',
      placeholder: 'demo|generated'
    },
    {
      name: 'organizations',
      type: 'number',
      help: 'Generated scenario: number of organizations.',
      defaultText: '1'
    },
    {
      name: 'projects-per-organization',
      type: 'number',
      help: 'Generated scenario: projects per organization.',
      defaultText: '2'
    },
    {
      name: 'clusters',
      type: 'number',
      help: 'Generated scenario: clusters per organization (1..9 nodes each).',
      defaultText: '20'
    },
    {
      name: 'shards-per-node',
      type: 'number',
      help: 'Generated scenario: shard copies per node (default: 10..80 at random).'
    },
    {
      name: 'api-key',
      type: 'list',
      help: 'API key accepted (pairs with the --api-secret at the same position).',
      defaultText: 'a generated pair, printed at start'
    },
    { name: 'api-secret', type: 'list', help: 'API secret of the --api-key at the same position.' },
    {
      name: 'auth-failure',
      type: 'string',
      help: 'Answer to a wrong key: 401 (JSON) or 302 (redirect to /?rd=<path>).',
      defaultText: '401',
      placeholder: '401|302'
    },
    {
      name: 'rate-limit',
      type: 'string',
      help: 'A second org-metrics request within a minute gets the cached body (cache) or 429 + Retry-After.',
      defaultText: 'cache',
      placeholder: 'cache|429'
    },
    {
      name: 'rate-limit-window',
      type: 'number',
      help: 'Seconds (simulated) an organization waits for a fresh org-metrics body, counted from the last one.',
      defaultText: '60'
    },
    {
      name: 'clock-speed',
      type: 'number',
      help: 'Simulated seconds per real second (operations, growth, rate limit).',
      defaultText: '1'
    },
    {
      name: 'admin-token',
      type: 'string',
      help: 'Bearer token of the /_simulator/ admin API.',
      defaultText: 'random, printed at start',
      env: 'CCE_SIMULATOR_ADMIN_TOKEN'
    },
    {
      name: 'fault',
      type: 'list',
      help: 'MATCH=ACTIONS, e.g. "/api/v2/clusters/{cluster_id}/=503,503,pass", "~/metrics/=25%:latency:2000", "*429:10,pass". Actions: 500 502 503 504 403 429[:s|none] 204 latency:MS reset slow:MS truncate malformed oversize[:BYTES] garbage empty html cut-line (a 200 without data) redirect:URL pass.'
    },
    {
      name: 'extra-fields',
      type: 'boolean',
      help: 'Add fields the OpenAPI document does not know, as a newer API would.',
      defaultText: 'false'
    },
    {
      name: 'cpu-load',
      type: 'number',
      help: 'Average share of its CPUs a node uses (0..1), times a per-cluster factor.',
      defaultText: '0.35'
    },
    {
      name: 'metrics-json-shape',
      type: 'string',
      help: 'Shape of /clusters/{id}/metrics/{metric_id}/: prometheus (query_range matrix) or series (name -> [[t, v]]).',
      defaultText: 'prometheus',
      placeholder: 'prometheus|series'
    },
    {
      name: 'operation-seconds',
      type: 'number',
      help: 'Simulated duration of a cluster operation, REGISTERED to SUCCEEDED.',
      defaultText: '8'
    },
    {
      name: 'operations-fail',
      type: 'boolean',
      help: 'Cluster operations (storage expansion, scale, suspend) end FAILED and change nothing.',
      defaultText: 'false'
    },
    {
      name: 'log.level',
      type: 'string',
      help: 'fatal, error, warn, info, debug or trace.',
      defaultText: 'info'
    },
    {
      name: 'log.format',
      type: 'string',
      help: 'json or pretty.',
      defaultText: 'json (pretty on a terminal)'
    }
  ]
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
  fallback: T
): T {
  if (value === undefined) return fallback
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${flag}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`)
  return value as T
}

function positiveInt(value: number | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 0)
    throw new UsageError(`--${flag}: expected a whole number, got ${value}`)
  return value
}

export const simulateCommand: Command = {
  ...COMMANDS.simulate,
  async run(io) {
    const parsed = parseFlags(simulateSpec, io.argv)
    if (parsed.help) {
      io.stdout.write(formatHelp(PROGRAM, simulateSpec))
      return 0
    }
    const values = parsed.values
    if (parsed.positionals.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[0])}`)
    const listen = parseListenAddress(
      stringFlag(values, 'listen-address') ?? '127.0.0.1:8080',
      '--listen-address',
      '127.0.0.1'
    )
    const kind = oneOf(stringFlag(values, 'scenario'), ['demo', 'generated'], 'scenario', 'demo')
    const scenario: ScenarioSpec =
      kind === 'demo'
        ? { kind }
        : {
            kind,
            organizations: Math.max(1, positiveInt(numberFlag(values, 'organizations'), 'organizations', 1)),
            projectsPerOrganization: Math.max(
              1,
              positiveInt(numberFlag(values, 'projects-per-organization'), 'projects-per-organization', 2)
            ),
            clusters: positiveInt(numberFlag(values, 'clusters'), 'clusters', 20),
            ...(numberFlag(values, 'shards-per-node') === undefined
              ? {}
              : { shardsPerNode: positiveInt(numberFlag(values, 'shards-per-node'), 'shards-per-node', 40) })
          }
    const keys = listFlag(values, 'api-key')
    const secrets = listFlag(values, 'api-secret')
    if (keys.length !== secrets.length)
      throw new UsageError('--api-key and --api-secret must be given the same number of times')
    const cpuLoad = numberFlag(values, 'cpu-load') ?? 0.35
    if (cpuLoad < 0 || cpuLoad > 1) throw new UsageError(`--cpu-load: expected 0..1, got ${cpuLoad}`)
    const windowSeconds = numberFlag(values, 'rate-limit-window') ?? 60
    if (!(windowSeconds >= 0))
      throw new UsageError(`--rate-limit-window: expected a non-negative number, got ${windowSeconds}`)
    const speed = numberFlag(values, 'clock-speed') ?? 1
    if (speed <= 0) throw new UsageError(`--clock-speed: expected a positive number, got ${speed}`)
    let faults: FaultRule[]
    try {
      faults = listFlag(values, 'fault').map(parseFaultRule)
    } catch (error) {
      if (error instanceof FaultSpecError) throw new UsageError(`--fault: ${error.message}`)
      throw error
    }
    const level = oneOf(
      stringFlag(values, 'log.level'),
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as LogLevel[],
      'log.level',
      'info'
    )
    const format = oneOf(
      stringFlag(values, 'log.format'),
      ['json', 'pretty'] as LogFormat[],
      'log.format',
      io.isTty ? 'pretty' : 'json'
    )
    const givenToken = stringFlag(values, 'admin-token') ?? io.env['CCE_SIMULATOR_ADMIN_TOKEN']
    const adminToken = givenToken ?? randomBytes(24).toString('base64url')
    const logger = createLogger({ level, format, destination: io.stderr })

    const simulator = await explainListen(
      '--listen-address',
      startSimulator
    )({
      host: listen.host,
      port: listen.port,
      seed: stringFlag(values, 'seed') ?? '1',
      scenario,
      ...(keys.length > 0 ? { credentials: keys.map((key, i) => ({ key, secret: secrets[i] ?? '' })) } : {}),
      clock: createSimulatorClock({ speed }),
      faults,
      adminToken,
      logger,
      settings: {
        authFailure: Number(
          oneOf(stringFlag(values, 'auth-failure'), ['401', '302'], 'auth-failure', '401')
        ) as 401 | 302,
        rateLimit: oneOf(stringFlag(values, 'rate-limit'), ['cache', '429'], 'rate-limit', 'cache'),
        rateLimitWindowMs: windowSeconds * 1000,
        extraFields: booleanFlag(values, 'extra-fields') ?? false,
        cpuLoad,
        metricsJsonShape: oneOf(
          stringFlag(values, 'metrics-json-shape'),
          ['prometheus', 'series'],
          'metrics-json-shape',
          'prometheus'
        ),
        operationMs: (numberFlag(values, 'operation-seconds') ?? 8) * 1000,
        operationsFail: booleanFlag(values, 'operations-fail') ?? false
      }
    })
    const lines = [`listening on ${simulator.url}`]
    for (const credential of simulator.state.credentials())
      lines.push(`api key: ${credential.key}`, `api secret: ${credential.secret}`)
    for (const org of simulator.state.organizations()) lines.push(`organization: ${org.id} (${org.name})`)
    lines.push(givenToken === undefined ? `admin token: ${adminToken}` : 'admin token: (as given)')
    io.stdout.write(lines.join('\n') + '\n')
    logger.info(
      { url: simulator.url, scenario: kind, clusters: simulator.state.clusters().length, clockSpeed: speed },
      'simulator started'
    )
    if (!io.shutdownSignal.aborted)
      await new Promise<void>((resolve) =>
        io.shutdownSignal.addEventListener('abort', () => resolve(), { once: true })
      )
    await simulator.close()
    logger.info('simulator stopped')
    return 0
  }
}
