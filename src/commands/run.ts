import { readFileSync } from 'node:fs'
import { formatHelp, parseFlags, type CommandSpec } from '../cli/flags.js'
import { COMMANDS, PROGRAM, type Command, type CommandIo } from '../cli/io.js'
import { explainListen } from '../cli/listen-error.js'
import { ConfigError, CREDENTIAL_ENV, loadConfig, RUN_FLAGS, type LoadedConfig } from '../config/index.js'
import { createLogger, type Logger } from '../logger.js'
import { loadWebConfig, WebConfigError, type WebConfig } from '../server/web-config.js'
import { startExporter, type RunningExporter } from '../engine/start.js'
import { revision } from '../version.js'

const spec: CommandSpec = {
  name: 'run',
  summary:
    'Poll the CrateDB Cloud API and serve Prometheus metrics (the default command). Settings come from flags, then environment variables, then the YAML file, then defaults.',
  flags: RUN_FLAGS,
  environment: [
    { name: CREDENTIAL_ENV.key, help: 'API key (CrateDB Cloud console: Account -> API keys).' },
    { name: CREDENTIAL_ENV.secret, help: 'Secret of that API key.' },
    {
      name: CREDENTIAL_ENV.keyFile,
      help: `File holding the API key, in place of $${CREDENTIAL_ENV.key}; read again while running.`
    },
    {
      name: CREDENTIAL_ENV.secretFile,
      help: `File holding the secret, in place of $${CREDENTIAL_ENV.secret}; read again while running.`
    },
    {
      name: 'CRATEDB_CLOUD_EXPORTER_REVISION',
      help: 'Revision shown in cratedb_cloud_exporter_build_info (the image sets it). (default: unknown)'
    }
  ]
}

/** Settings a command could not use: printed with every problem, exit code 2, nothing started. */
export function loadOrExplain(
  io: CommandIo,
  command: string,
  load: () => LoadedConfig
): { loaded: LoadedConfig; webConfig: WebConfig | null } | null {
  try {
    const loaded = load()
    const file = loaded.config.web.configFile
    const webConfig = file === null ? null : loadWebConfig(file, (path) => readFileSync(path))
    return { loaded, webConfig }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof WebConfigError) {
      io.stderr.write(`${PROGRAM} ${command}: [${error.code}] ${error.message}\n`)
      return null
    }
    throw error
  }
}

/** Runs until SIGTERM/SIGINT, then stops polling, closes the server and returns 0. */
export async function serveUntilSignal(
  io: CommandIo,
  logger: Logger,
  running: RunningExporter
): Promise<number> {
  if (!io.shutdownSignal.aborted) {
    await new Promise((resolve) => io.shutdownSignal.addEventListener('abort', resolve, { once: true }))
  }
  logger.info('shutting down')
  const deadline = setTimeout(() => {
    logger.error('shutdown took longer than 10 s; exiting')
    process.exit(1)
  }, 10_000)
  deadline.unref()
  await running.close()
  clearTimeout(deadline)
  logger.info('stopped')
  return 0
}

export const runCommand: Command = {
  ...COMMANDS.run,
  async run(io) {
    const parsed = parseFlags(spec, io.argv)
    if (parsed.help) {
      io.stdout.write(formatHelp(PROGRAM, spec))
      return 0
    }
    if (parsed.positionals.length > 0) {
      io.stderr.write(`${PROGRAM} run: unexpected argument ${JSON.stringify(parsed.positionals[0])}\n`)
      return 2
    }
    const settings = loadOrExplain(io, 'run', () =>
      loadConfig({
        flags: parsed.values,
        env: io.env,
        readFile: (path) => readFileSync(path, 'utf8'),
        isTty: io.isTty
      })
    )
    if (settings === null) return 2
    const { config, warnings } = settings.loaded
    const logger = createLogger({
      level: config.log.level,
      format: config.log.format,
      destination: io.stderr
    })
    for (const warning of warnings) logger.warn(warning)
    const running = await explainListen(
      '--web.listen-address',
      startExporter
    )({
      config,
      logger,
      webConfig: settings.webConfig,
      revision: revision(io.env)
    })
    logger.info(
      {
        url: running.url,
        telemetryPath: config.web.telemetryPath,
        apiUrl: config.api.url,
        credentials: config.api.credentials.map((credential) => credential.name)
      },
      `serving metrics at ${running.url}${config.web.telemetryPath}`
    )
    return serveUntilSignal(io, logger, running)
  }
}
