import { describe, expect, it } from 'vitest'
import { formatHelp, parseFlags, UsageError, type CommandSpec } from '../../../src/cli/flags.js'
import { parseListenAddress } from '../../../src/config/listen-address.js'

const command: CommandSpec = {
  name: 'run',
  summary: 'test',
  flags: [
    { name: 'web.listen-address', type: 'string', help: 'address' },
    { name: 'collector.quotas', type: 'boolean', help: 'quotas' },
    { name: 'api.retries', type: 'number', help: 'retries' },
    { name: 'fault', type: 'list', help: 'faults' }
  ]
}

function problems(argv: string[]): string {
  try {
    parseFlags(command, argv)
  } catch (error) {
    if (error instanceof UsageError) return error.message
    throw error
  }
  return ''
}

describe('parseFlags', () => {
  it('takes --name=value, --name value, --[no-]boolean, numbers and repeated lists', () => {
    const parsed = parseFlags(command, [
      '--web.listen-address=:1',
      '--no-collector.quotas',
      '--api.retries',
      '3',
      '--fault',
      'a',
      '--fault=b'
    ])
    expect(Object.fromEntries(parsed.values)).toEqual({
      'web.listen-address': ':1',
      'collector.quotas': false,
      'api.retries': 3,
      fault: ['a', 'b']
    })
  })

  it('lists every problem at once and suggests the flag that was meant', () => {
    expect(
      problems(['--web.listen-adress=:1', '--colector.quotas', '--api.retries=many', '--zzz']).split('\n')
    ).toEqual([
      'unknown flag --web.listen-adress (did you mean --web.listen-address?)',
      'unknown flag --colector.quotas (did you mean --collector.quotas?)',
      '--api.retries: expected a number, got "many"',
      'unknown flag --zzz'
    ])
    expect(problems(['--web.listen-address'])).toBe('--web.listen-address needs a value')
  })

  it('shows help rather than errors when --help is given', () => {
    expect(parseFlags(command, ['--bogus', '-h']).help).toBe(true)
    expect(formatHelp('prog', command)).toContain('--[no-]collector.quotas')
  })
})

describe('parseListenAddress', () => {
  it('reads host:port the way Prometheus exporters do', () => {
    expect(parseListenAddress(':9863', 'f')).toEqual({ host: '0.0.0.0', port: 9863 })
    expect(parseListenAddress('[::]:9863', 'f')).toEqual({ host: '::', port: 9863 })
    expect(parseListenAddress('127.0.0.1:0', 'f')).toEqual({ host: '127.0.0.1', port: 0 })
    // The simulator's empty host is loopback, the exporter's every interface.
    expect(parseListenAddress(':8080', 'f', '127.0.0.1')).toEqual({ host: '127.0.0.1', port: 8080 })
    expect(() => parseListenAddress('9863', 'f')).toThrow(UsageError)
    expect(() => parseListenAddress(':70000', 'f')).toThrow(UsageError)
  })
})
