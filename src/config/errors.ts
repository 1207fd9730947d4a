/**
 * A configuration that cannot be used: the command prints the message and exits with code 2. The
 * message lists every problem found, one per line, each starting with its path (YAML path, flag or
 * environment variable). Secret values never appear in it.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly code = 'CCE_CONFIG'

  constructor(readonly problems: readonly string[]) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n')
    )
  }
}

/**
 * A command line that cannot be run: exit code 2, nothing started. Declared here, beside ConfigError,
 * because settings that the configuration parses (a listen address) fail the same way as flags.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  readonly code = 'CCE_USAGE'
}
