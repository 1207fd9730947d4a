/**
 * The shape of a command-line flag. Declared here, below the command line, because the configuration
 * derives its flags from its settings; src/cli/flags.ts parses and prints them.
 */

export type FlagType = 'string' | 'number' | 'boolean' | 'list'
export type FlagValue = string | number | boolean | string[]

export interface FlagSpec {
  readonly name: string
  readonly type: FlagType
  readonly help: string
  /** Shown in --help; the command applies defaults itself (config precedence lives in src/config). */
  readonly defaultText?: string
  /** Environment variable that sets the same value, shown in --help. */
  readonly env?: string
  readonly placeholder?: string
}
