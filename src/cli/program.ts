/**
 * The program's commands and their dispatch; src/cli.ts loads it once the process is set up. A
 * command's module is loaded only once it is chosen.
 */
import { UsageError } from './flags.js'
import { COMMANDS, PROGRAM, type Command, type CommandIo } from './io.js'
import { ListenError } from './listen-error.js'
import { version } from '../version.js'

interface CommandEntry {
  readonly name: string
  readonly summary: string
  load(): Promise<Command>
}

// A command's module is loaded once it is chosen: `run` loads neither the simulator nor the demo's
// policy, which would cost every exporter start time and memory for nothing.
const run: CommandEntry = {
  ...COMMANDS.run,
  load: async () => (await import('../commands/run.js')).runCommand
}
const commands: readonly CommandEntry[] = [
  run,
  { ...COMMANDS.simulate, load: async () => (await import('../commands/simulate.js')).simulateCommand },
  { ...COMMANDS.demo, load: async () => (await import('../commands/demo.js')).demoCommand }
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
