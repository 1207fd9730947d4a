/** The program's commands and their dispatch; src/cli.ts loads it once the process is set up. */
import { UsageError } from './flags.js'
import { PROGRAM, type Command, type CommandIo } from './io.js'
import { ListenError } from './listen-error.js'
import { demoCommand } from '../commands/demo.js'
import { runCommand } from '../commands/run.js'
import { simulateCommand } from '../commands/simulate.js'
import { version } from '../version.js'

const commands: readonly Command[] = [runCommand, simulateCommand, demoCommand]

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
  let command = commands.find((candidate) => candidate.name === first)
  let rest: readonly string[] = argv.slice(1)
  if (command === undefined) {
    if (first !== undefined && !first.startsWith('-')) {
      io.stderr.write(`${PROGRAM}: unknown command ${JSON.stringify(first)}\n\n${topLevelHelp()}`)
      return 2
    }
    command = runCommand
    rest = argv
  }
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
