import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { main } from '../../../src/cli.js'
import { RUN_FLAGS } from '../../../src/config/index.js'
import { REPO_ROOT } from '../../helpers/environment.js'

async function help(argv: string[]): Promise<string> {
  let out = ''
  const stdout = new Writable({
    write: (chunk: Buffer, _encoding, done) => ((out += chunk.toString()), done())
  })
  const stderr = new Writable({ write: (_chunk, _encoding, done) => done() })
  const code = await main(argv, {
    env: {},
    stdout,
    stderr,
    shutdownSignal: new AbortController().signal,
    isTty: false
  })
  expect(code).toBe(0)
  return out
}

/** Every CRATEDB_CLOUD_* name written out in the exporter's source (the simulator reads none of them). */
function variablesInSource(dir = join(REPO_ROOT, 'src')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'simulator' ? [] : variablesInSource(path)
    if (!path.endsWith('.ts')) return []
    return [...readFileSync(path, 'utf8').matchAll(/\b(CRATEDB_CLOUD_[A-Z_]*[A-Z])\b/g)].map((m) => m[1]!)
  })
}

describe('run --help', () => {
  it('lists the API key variables, their _FILE forms and every other variable the exporter reads', async () => {
    const text = await help(['run', '--help'])
    const names = new Set([
      'CRATEDB_CLOUD_API_KEY',
      'CRATEDB_CLOUD_API_SECRET',
      'CRATEDB_CLOUD_API_KEY_FILE',
      'CRATEDB_CLOUD_API_SECRET_FILE',
      ...RUN_FLAGS.flatMap((flag) => (flag.env === undefined ? [] : [flag.env])),
      ...variablesInSource()
    ])
    expect(names.size).toBeGreaterThan(8)
    expect([...names].filter((name) => !new RegExp(`(^|\\s|\\$)${name}(\\s|\\]|$)`, 'm').test(text))).toEqual(
      []
    )
    expect(text).toMatch(/^ {2}CRATEDB_CLOUD_API_KEY_FILE +File holding the API key/m)
  })

  it('is listed in the top-level help, where every command line ends with a full stop', async () => {
    const text = await help(['--help'])
    const commands = text
      .slice(text.indexOf('Commands'))
      .split('\n')
      .slice(1)
      .filter((line) => /^ {2}\w/.test(line))
    expect(commands.map((line) => line.trim().split(/\s+/)[0])).toEqual(['run', 'simulate', 'demo'])
    expect(commands.filter((line) => !line.endsWith('.'))).toEqual([])
  })
})
