#!/usr/bin/env node
/**
 * Composition root: the only module that reads process.env and process.argv, installs signal handlers
 * and sets the exit code. Each command lives in src/commands/.
 */
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { UsageError } from './cli/flags.js'
import { COMMANDS, PROGRAM, type Command, type CommandIo } from './cli/io.js'
import { ListenError } from './cli/listen-error.js'
import { version } from './version.js'

interface CommandEntry {
  readonly name: string
  readonly summary: string
  load(): Promise<Command>
}

// A command's module is loaded once it is chosen: `run` loads neither the simulator nor the demo's
// policy, which would cost every exporter start time and memory for nothing.
const run: CommandEntry = {
  ...COMMANDS.run,
  load: async () => (await import('./commands/run.js')).runCommand
}
const commands: readonly CommandEntry[] = [
  run,
  { ...COMMANDS.simulate, load: async () => (await import('./commands/simulate.js')).simulateCommand },
  { ...COMMANDS.demo, load: async () => (await import('./commands/demo.js')).demoCommand }
]

function topLevelHelp(): string {
  const rows = commands.map((command) => `  ${command.name.padEnd(10)}${command.summary}`)
  return [
    `usage: ${PROGRAM} [command] [flags]`,
    '',
    'Prometheus exporter for CrateDB Cloud.',
    '',
    'Commands (default: run):',
    ...rows,
    '',
    `Run "${PROGRAM} <command> --help" for the flags of a command.`,
    ''
  ].join('\n')
}

export async function main(argv: readonly string[], io: Omit<CommandIo, 'argv'>): Promise<number> {
  const first = argv[0]
  if (first === '--version' || first === 'version') {
    io.stdout.write(`${PROGRAM} ${version}\n`)
    return 0
  }
  if (first === 'help' || ((first === '--help' || first === '-h') && argv.length === 1)) {
    io.stdout.write(topLevelHelp())
    return 0
  }
  let entry = commands.find((candidate) => candidate.name === first)
  let rest: readonly string[] = argv.slice(1)
  if (entry === undefined) {
    if (first !== undefined && !first.startsWith('-')) {
      io.stderr.write(`${PROGRAM}: unknown command ${JSON.stringify(first)}\n\n${topLevelHelp()}`)
      return 2
    }
    entry = run
    rest = argv
  }
  const command = await entry.load()
  try {
    return await command.run({ ...io, argv: rest })
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(
        `${PROGRAM} ${command.name}: [${error.code}] ${error.message}\nRun "${PROGRAM} ${command.name} --help" for usage.\n`
      )
      return 2
    }
    if (error instanceof ListenError) {
      io.stderr.write(`${PROGRAM} ${command.name}: [${error.code}] ${error.message}\n`)
      return 2
    }
    throw error
  }
}

function installSignals(): AbortSignal {
  const controller = new AbortController()
  let signals = 0
  const onSignal = (name: NodeJS.Signals): void => {
    signals++
    if (signals > 1) {
      process.stderr.write(`${PROGRAM}: second ${name}, exiting now\n`)
      process.exit(1)
    }
    controller.abort(new Error(`received ${name}`))
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  return controller.signal
}

// Through npm's bin symlink argv[1] is the link, so compare real paths.
const isEntryPoint =
  process.argv[1] !== undefined && realpathOrSelf(process.argv[1]) === fileURLToPath(import.meta.url)

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}
if (isEntryPoint) {
  // The process's only WebAssembly is undici's HTTP parser (llhttp). V8 compiles it first with its
  // baseline compiler, then again with its optimizing one once it is hot, which takes about 35 MiB for a
  // moment: the exporter's peak memory. Bodies pass through the parser as spans, so the baseline code
  // reads a 100 MiB body as fast (measured); V8 reads the flag when it compiles the module.
  setFlagsFromString('--liftoff-only')
  main(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    shutdownSignal: installSignals(),
    isTty: process.stderr.isTTY
  }).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      process.stderr.write(
        `${PROGRAM}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
      )
      process.exitCode = 1
    }
  )
}
