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

/** The name of the executable, as help and error messages print it. */
export const PROGRAM = 'cratedb-cloud-exporter'
