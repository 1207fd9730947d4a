import { UsageError } from '../config/errors.js'
import type { FlagSpec, FlagValue } from '../config/flag-types.js'
import { didYouMean } from '../config/parse.js'

export type { FlagSpec, FlagType, FlagValue } from '../config/flag-types.js'
export { UsageError }

/**
 * Command-line flags in the Prometheus exporter style (`--web.listen-address=:9863`,
 * `--web.listen-address :9863`, `--[no-]flag` for booleans). Shared by every command.
 */

export interface CommandSpec {
  readonly name: string
  readonly summary: string
  readonly usage?: string
  readonly flags: readonly FlagSpec[]
  /** Variables read besides the [$NAME] of a flag, listed after the flags. */
  readonly environment?: readonly { readonly name: string; readonly help: string }[]
}

export interface ParsedFlags {
  readonly help: boolean
  readonly values: ReadonlyMap<string, FlagValue>
  readonly positionals: readonly string[]
}

export function parseFlags(command: CommandSpec, argv: readonly string[]): ParsedFlags {
  const byName = new Map(command.flags.map((flag) => [flag.name, flag]))
  const values = new Map<string, FlagValue>()
  const positionals: string[] = []
  const problems: string[] = []
  let help = false

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '-h' || arg === '--help') {
      help = true
      continue
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1) problems.push(`unknown flag ${arg}`)
      else positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    let name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
    let inline: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1)
    let negated = false
    if (!byName.has(name) && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean') {
      name = name.slice(3)
      negated = true
    }
    const flag = byName.get(name)
    if (flag === undefined) {
      problems.push(`unknown flag --${name}${suggest(name, command.flags)}`)
      continue
    }
    if (flag.type === 'boolean') {
      if (negated && inline !== undefined) {
        problems.push(`--no-${name} takes no value`)
        continue
      }
      const parsed = inline === undefined ? !negated : parseBoolean(inline)
      if (parsed === undefined)
        problems.push(`--${name}: expected true or false, got ${JSON.stringify(inline)}`)
      else values.set(name, parsed)
      continue
    }
    if (inline === undefined) {
      const next = argv[i + 1]
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        problems.push(`--${name} needs a value`)
        continue
      }
      inline = next
      i++
    }
    if (flag.type === 'number') {
      const n = Number(inline)
      if (inline.trim() === '' || !Number.isFinite(n)) {
        problems.push(`--${name}: expected a number, got ${JSON.stringify(inline)}`)
        continue
      }
      values.set(name, n)
    } else if (flag.type === 'list') {
      const previous = values.get(name)
      values.set(name, [...(Array.isArray(previous) ? previous : []), inline])
    } else {
      values.set(name, inline)
    }
  }
  if (problems.length > 0 && !help) throw new UsageError(problems.join('\n'))
  return { help, values, positionals }
}

function parseBoolean(text: string): boolean | undefined {
  if (text === 'true' || text === '1') return true
  if (text === 'false' || text === '0') return false
  return undefined
}

function suggest(name: string, flags: readonly FlagSpec[]): string {
  const close = flags.find((flag) => flag.name.includes(name) || name.includes(flag.name))
  if (close !== undefined) return ` (did you mean --${close.name}?)`
  return didYouMean(
    name,
    flags.map((flag) => flag.name)
  ).replace('did you mean ', 'did you mean --')
}

export function formatHelp(program: string, command: CommandSpec): string {
  const lines = [
    `usage: ${program} ${command.usage ?? `${command.name} [flags]`}`,
    '',
    command.summary,
    '',
    'Flags:'
  ]
  const rows = [
    { left: '-h, --help', right: 'Show this help and exit.' },
    ...command.flags.map((flag) => {
      const prefix =
        flag.type === 'boolean'
          ? `--[no-]${flag.name}`
          : `--${flag.name}=${flag.placeholder ?? flagPlaceholder(flag)}`
      const details = [
        flag.defaultText === undefined ? '' : ` (default: ${flag.defaultText})`,
        flag.env === undefined ? '' : ` [$${flag.env}]`,
        flag.type === 'list' ? ' Repeatable.' : ''
      ].join('')
      return { left: prefix, right: flag.help + details }
    })
  ]
  const environment = (command.environment ?? []).map((variable) => ({
    left: variable.name,
    right: variable.help
  }))
  const width = Math.min(40, Math.max(...[...rows, ...environment].map((row) => row.left.length)) + 2)
  const push = (row: { left: string; right: string }): void => {
    const pad = row.left.length >= width ? '\n' + ' '.repeat(width + 2) : ' '.repeat(width - row.left.length)
    lines.push(`  ${row.left}${pad}${row.right}`)
  }
  rows.forEach(push)
  if (environment.length > 0) {
    lines.push('', 'Environment variables (besides the [$NAME] of a flag above):')
    environment.forEach(push)
  }
  return lines.join('\n') + '\n'
}

function flagPlaceholder(flag: FlagSpec): string {
  if (flag.type === 'number') return 'N'
  return flag.name.split('.').pop()?.toUpperCase().replaceAll('-', '_') ?? 'VALUE'
}

export function stringFlag(values: ReadonlyMap<string, FlagValue>, name: string): string | undefined {
  const value = values.get(name)
  return typeof value === 'string' ? value : undefined
}

export function numberFlag(values: ReadonlyMap<string, FlagValue>, name: string): number | undefined {
  const value = values.get(name)
  return typeof value === 'number' ? value : undefined
}

export function booleanFlag(values: ReadonlyMap<string, FlagValue>, name: string): boolean | undefined {
  const value = values.get(name)
  return typeof value === 'boolean' ? value : undefined
}

export function listFlag(values: ReadonlyMap<string, FlagValue>, name: string): string[] {
  const value = values.get(name)
  return Array.isArray(value) ? value : []
}
