/** What a command may touch of the process; main() passes the real one, tests pass fakes. */
export interface CommandIo {
  readonly argv: readonly string[]
  readonly env: NodeJS.ProcessEnv
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream
  /** Resolves when SIGTERM or SIGINT arrives. */
  readonly shutdownSignal: AbortSignal
  readonly isTty: boolean
}

export interface Command {
  readonly name: string
  readonly summary: string
  /** Resolves to the process exit code. */
  run(io: CommandIo): Promise<number>
}

/**
 * Name and one-line summary of every command, for the top-level help: kept apart from the commands'
 * modules, which cli.ts loads only when a command is chosen.
 */
export const COMMANDS = {
  run: { name: 'run', summary: 'Poll the CrateDB Cloud API and serve /metrics (default).' },
  simulate: { name: 'simulate', summary: 'Run a stand-in CrateDB Cloud API for tests and demos.' },
  demo: {
    name: 'demo',
    summary: 'Run the exporter against the built-in simulator: try it without an account.'
  }
} as const satisfies Record<string, Pick<Command, 'name' | 'summary'>>

/** The name of the executable, as help and error messages print it. */
export const PROGRAM = 'cratedb-cloud-exporter'
