import { readFileSync, readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, RUN_FLAGS, loadConfig } from '../../../src/config/index.js'
import { REPO_ROOT } from '../../helpers/environment.js'

/**
 * Every test/fixtures/config/*.ok.yaml must load and every *.bad.yaml must fail. Leading comments say
 * what to check:
 *   # expect: <fragment of the error message>            (bad files)
 *   # expect-warning: <fragment of a warning>             (ok files)
 *   # expect-value: <dotted path in Config> = <JSON>      (ok files)
 *   # absent: <text that must not appear in the message or warnings>
 *   # env: NAME=value                                     (environment for this case)
 */
const DIR = resolve(REPO_ROOT, 'test/fixtures/config')

export const SECRET_FILES: Record<string, string> = {
  '/run/secrets/key': 'file-key\n',
  '/run/secrets/secret': 'file-secret\n',
  '/run/secrets/empty': '\n'
}

interface Case {
  file: string
  text: string
  directives: { kind: string; value: string }[]
}

function readCase(file: string): Case {
  const text = readFileSync(resolve(DIR, file), 'utf8')
  const directives = [...text.matchAll(/^# ([a-z-]+): (.*)$/gm)].map((match) => ({
    kind: match[1] ?? '',
    value: match[2] ?? ''
  }))
  return { file, text, directives }
}

function load(test: Case) {
  const env: NodeJS.ProcessEnv = {}
  for (const { kind, value } of test.directives) {
    if (kind === 'env') env[value.slice(0, value.indexOf('='))] = value.slice(value.indexOf('=') + 1)
  }
  const path = `/etc/cratedb-cloud-exporter/${test.file}`
  return loadConfig({
    flags: new Map([['config.file', path]]),
    env,
    readFile: (requested) => {
      if (requested === path) return test.text
      const content = SECRET_FILES[requested]
      if (content === undefined) throw Object.assign(new Error(`ENOENT: ${requested}`), { code: 'ENOENT' })
      return content
    }
  })
}

function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value)
}

const files = readdirSync(DIR).sort()
const ok = files.filter((file) => file.endsWith('.ok.yaml')).map(readCase)
const bad = files.filter((file) => file.endsWith('.bad.yaml')).map(readCase)

describe('config fixtures', () => {
  it('has cases of both kinds, each with something to check', () => {
    expect(ok.length).toBeGreaterThanOrEqual(4)
    expect(bad.length).toBeGreaterThanOrEqual(10)
    for (const test of bad)
      expect(
        test.directives.some((d) => d.kind === 'expect'),
        test.file
      ).toBe(true)
  })

  it.each(ok.map((test) => [test.file, test] as const))('%s loads', (_file, test) => {
    const { config, warnings } = load(test)
    for (const { kind, value } of test.directives) {
      if (kind === 'expect-value') {
        const [path, json] = value.split(' = ') as [string, string]
        expect(at(config, path), `${path}`).toEqual(JSON.parse(json))
      }
      if (kind === 'expect-warning') expect(warnings.join('\n')).toContain(value)
      if (kind === 'absent') expect(warnings.join('\n')).not.toContain(value)
    }
    if (!test.directives.some((d) => d.kind === 'expect-warning')) expect(warnings).toEqual([])
  })

  it.each(bad.map((test) => [test.file, test] as const))(
    '%s is refused with every problem named',
    (_file, test) => {
      let error: unknown
      try {
        load(test)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(ConfigError)
      const message = (error as ConfigError).message
      expect((error as ConfigError).code).toBe('CCE_CONFIG')
      for (const { kind, value } of test.directives) {
        if (kind === 'expect') expect(message).toContain(value)
        if (kind === 'absent') expect(message).not.toContain(value)
      }
      for (const content of Object.values(SECRET_FILES))
        if (content.trim() !== '') expect(message).not.toContain(content.trim())
    }
  )
})

describe('docs/configuration.md', () => {
  it('its annotated example is a valid configuration without warnings', () => {
    const doc = readFileSync(resolve(REPO_ROOT, 'docs/configuration.md'), 'utf8')
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1]
    expect(example).toBeDefined()
    const secrets = (path: string) => {
      if (path === '/c.yaml') return example ?? ''
      if (path.startsWith('/run/secrets/')) return 'value\n'
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' })
    }
    const { config, warnings } = loadConfig({
      flags: new Map([['config.file', '/c.yaml']]),
      env: {},
      readFile: secrets
    })
    expect(warnings).toEqual([])
    expect(config.api.credentials.map((c) => c.name)).toEqual(['primary', 'standby'])
    expect(config.filters.clusters.include).toEqual(['prod-.*', 'staging-.*'])
    expect(config.collectors.org_metrics).toEqual({ enabled: true, intervalSeconds: 60, timeoutSeconds: 50 })
  })

  it('lists every flag', () => {
    const doc = readFileSync(resolve(REPO_ROOT, 'docs/configuration.md'), 'utf8')
    const documented = [...doc.matchAll(/`--(?:\[no-\])?([a-z.<>_-]+)/g)].map((m) => m[1])
    for (const flag of RUN_FLAGS) {
      // Flags of every collector are documented once, as collector.<name>; one collector's own by name.
      const generic = flag.name.replace(/^collector\.[a-z_]+/, 'collector.<name>')
      expect(documented, flag.name).toContain(documented.includes(flag.name) ? flag.name : generic)
    }
  })
})
