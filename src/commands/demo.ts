import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { formatHelp, parseFlags, stringFlag, type CommandSpec, type FlagValue } from '../cli/flags.js'
import { COMMANDS, PROGRAM, type Command } from '../cli/io.js'
import { explainListen } from '../cli/listen-error.js'
import { demoStoragePolicy } from '../autopilot/demo-policy.js'
import { loadConfig, RUN_FLAGS } from '../config/index.js'
import { parseListenAddress } from '../config/listen-address.js'
import { createLogger } from '../logger.js'
import { startSimulator } from '../simulator/index.js'
import { startExporter } from '../engine/start.js'
import { revision } from '../version.js'
import { loadOrExplain, serveUntilSignal } from './run.js'

const SIMULATOR_FLAG = 'simulator.listen-address'
/** The demo prints loopback URLs and needs no outside visitor, so it listens on loopback unless told. */
const DEMO_LISTEN_ADDRESS = '127.0.0.1:9863'

const spec: CommandSpec = {
  name: 'demo',
  summary:
    'Start the built-in CrateDB Cloud simulator (demo scenario: healthy, YELLOW, UNREACHABLE, suspended, nearly full and busy clusters) and the exporter against it, in one process. Takes the flags of "run" too; the API URL and key are set by the demo.',
  flags: [
    {
      name: SIMULATOR_FLAG,
      type: 'string',
      help: 'HOST:PORT of the simulator.',
      defaultText: '127.0.0.1:0 (a free loopback port)'
    },
    {
      name: 'seed',
      type: 'string',
      help: 'Seed of the demo world (ids, load, growth).',
      defaultText: 'demo'
    },
    ...RUN_FLAGS.filter((flag) => flag.name !== 'api.url').map((flag) =>
      flag.name === 'web.listen-address'
        ? { ...flag, defaultText: `${DEMO_LISTEN_ADDRESS}: loopback only, unless a config file is given` }
        : flag
    )
  ]
}

export const demoCommand: Command = {
  ...COMMANDS.demo,
  async run(io) {
    const parsed = parseFlags(spec, io.argv)
    if (parsed.help) {
      io.stdout.write(formatHelp(PROGRAM, spec))
      return 0
    }
    const simulatorAddress = parseListenAddress(
      stringFlag(parsed.values, SIMULATOR_FLAG) ?? '127.0.0.1:0',
      `--${SIMULATOR_FLAG}`
    )
    const key = `demo_${randomBytes(12).toString('base64url')}`
    const secret = randomBytes(24).toString('base64url')
    const flags = new Map<string, FlagValue>(parsed.values)
    flags.delete(SIMULATOR_FLAG)
    flags.delete('seed')
    const addressSet =
      flags.has('web.listen-address') ||
      flags.has('config.file') ||
      ['CRATEDB_CLOUD_EXPORTER_WEB_LISTEN_ADDRESS', 'CRATEDB_CLOUD_EXPORTER_CONFIG_FILE'].some(
        (name) => (io.env[name] ?? '').trim() !== ''
      )
    if (!addressSet) flags.set('web.listen-address', DEMO_LISTEN_ADDRESS)
    // Validate everything before starting anything; the URL is replaced once the simulator listens.
    const env: NodeJS.ProcessEnv = { ...io.env, CRATEDB_CLOUD_API_KEY: key, CRATEDB_CLOUD_API_SECRET: secret }
    delete env['CRATEDB_CLOUD_API_KEY_FILE']
    delete env['CRATEDB_CLOUD_API_SECRET_FILE']
    const load = (url: string) => () =>
      loadConfig({
        flags: new Map([...flags, ['api.url', url]]),
        env,
        readFile: (path) => readFileSync(path, 'utf8'),
        isTty: io.isTty
      })
    if (loadOrExplain(io, 'demo', load('http://127.0.0.1:1')) === null) return 2

    const simulator = await explainListen(
      `--${SIMULATOR_FLAG}`,
      startSimulator
    )({
      host: simulatorAddress.host,
      port: simulatorAddress.port,
      seed: stringFlag(parsed.values, 'seed') ?? 'demo',
      scenario: { kind: 'demo' },
      credentials: [{ key, secret }]
    })
    const settings = loadOrExplain(io, 'demo', load(simulator.url))
    if (settings === null) {
      await simulator.close()
      return 2
    }
    // Without a policy of the user's, the demo runs the storage autopilot in dry-run.
    const config =
      settings.loaded.config.autopilot === undefined
        ? { ...settings.loaded.config, autopilot: { storage: demoStoragePolicy() } }
        : settings.loaded.config
    const logger = createLogger({
      level: config.log.level,
      format: config.log.format,
      destination: io.stderr
    })
    let running
    try {
      running = await explainListen(
        '--web.listen-address',
        startExporter
      )({
        config,
        logger,
        webConfig: settings.webConfig,
        revision: revision(io.env)
      })
    } catch (error) {
      await simulator.close()
      throw error
    }
    io.stdout.write(
      [
        '',
        `CrateDB Cloud simulator:  ${simulator.url}  (API key ${key}; demo only)`,
        `Exporter status page:     ${running.url}/`,
        `Metrics:                  ${running.url}${config.web.telemetryPath}`,
        `Status as JSON:           ${running.url}/status`,
        `Storage autopilot:        ${config.autopilot?.storage.mode === 'apply' ? 'apply (it expands storage in the simulator)' : 'dry-run (see the status page)'}`,
        '',
        'Node CPU and query rates appear after the second poll of the organization metrics (about a minute).',
        'Press Ctrl+C to stop.',
        ''
      ].join('\n')
    )
    const code = await serveUntilSignal(io, logger, running)
    await simulator.close()
    return code
  }
}
