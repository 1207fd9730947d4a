import { describe, expect, it } from 'vitest'
import { formatHelp, parseFlags } from '../../../src/cli/flags.js'
import { COLLECTOR_NAMES } from '../../../src/collectors/names.js'
import { ConfigError, RUN_FLAGS, loadConfig, parseDuration } from '../../../src/config/index.js'

const KEY_ENV = { CRATEDB_CLOUD_API_KEY: 'env-key', CRATEDB_CLOUD_API_SECRET: 'env-secret' }
const RUN = { name: 'run', summary: 'Run the exporter.', flags: RUN_FLAGS }

function files(map: Record<string, string>) {
  return (path: string): string => {
    const content = map[path]
    if (content === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' })
    return content
  }
}

function load(argv: string[], env: NodeJS.ProcessEnv, yaml?: string, extra: { isTty?: boolean } = {}) {
  return loadConfig({
    flags: parseFlags(RUN, yaml === undefined ? argv : ['--config.file', '/c.yaml', ...argv]).values,
    env,
    readFile: files(yaml === undefined ? {} : { '/c.yaml': yaml }),
    ...extra
  })
}

function problemsOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('expected a ConfigError')
}

describe('precedence: flags > environment > YAML file > defaults', () => {
  const yaml = 'api: {url: "https://yaml.example"}\nlog: {level: warn}\nweb: {listen_address: ":1"}\n'

  it('takes defaults when nothing is set', () => {
    const { config } = load([], KEY_ENV)
    expect(config.api.url).toBe('https://console.cratedb.cloud')
    expect(config.log.level).toBe('info')
    expect(config.web.listenAddress).toBe(':9863')
  })

  it('the file overrides defaults', () => {
    const { config } = load([], KEY_ENV, yaml)
    expect([config.api.url, config.log.level, config.web.listenAddress]).toEqual([
      'https://yaml.example',
      'warn',
      ':1'
    ])
  })

  it('the environment overrides the file', () => {
    const env = {
      ...KEY_ENV,
      CRATEDB_CLOUD_API_URL: 'https://env.example',
      CRATEDB_CLOUD_EXPORTER_LOG_LEVEL: 'debug'
    }
    const { config } = load([], env, yaml)
    expect([config.api.url, config.log.level, config.web.listenAddress]).toEqual([
      'https://env.example',
      'debug',
      ':1'
    ])
  })

  it('flags override the environment', () => {
    const env = {
      ...KEY_ENV,
      CRATEDB_CLOUD_API_URL: 'https://env.example',
      CRATEDB_CLOUD_EXPORTER_LOG_LEVEL: 'debug'
    }
    const { config } = load(['--api.url=https://flag.example', '--log.level', 'error'], env, yaml)
    expect([config.api.url, config.log.level]).toEqual(['https://flag.example', 'error'])
  })

  it('an empty environment variable counts as unset', () => {
    const { config } = load([], { ...KEY_ENV, CRATEDB_CLOUD_EXPORTER_LOG_LEVEL: '' }, yaml)
    expect(config.log.level).toBe('warn')
  })

  it('the config file may come from the environment', () => {
    const { config } = loadConfig({
      flags: new Map(),
      env: { ...KEY_ENV, CRATEDB_CLOUD_EXPORTER_CONFIG_FILE: '/c.yaml' },
      readFile: files({ '/c.yaml': yaml })
    })
    expect(config.log.level).toBe('warn')
  })

  it('collector flags: --no-collector.<name>, --collector.<name>, --collector.<name>.interval', () => {
    const file = 'collectors: {quotas: {enabled: false, interval: 10m}, inventory: {enabled: true}}\n'
    const { config } = load(
      ['--no-collector.inventory', '--collector.quotas', '--collector.quotas.interval=5m'],
      KEY_ENV,
      file
    )
    expect(config.collectors.inventory.enabled).toBe(false)
    expect(config.collectors.quotas).toEqual({ enabled: true, intervalSeconds: 300, timeoutSeconds: 30 })
  })

  it('a flag value is checked like a file value, named by its flag', () => {
    const message = problemsOf(() =>
      load(['--api.timeout=soon', '--collector.inventory.interval=1x'], KEY_ENV)
    )
    expect(message).toContain('--api.timeout: must be a duration like "60s", got "soon"')
    expect(message).toContain('--collector.inventory.interval: must be a duration like "60s", got "1x"')
  })

  it('an environment value is named by its variable', () => {
    const env = {
      ...KEY_ENV,
      CRATEDB_CLOUD_API_URL: 'http://example.com',
      CRATEDB_CLOUD_EXPORTER_LOG_FORMAT: 'xml'
    }
    const message = problemsOf(() => load([], env))
    expect(message).toContain('CRATEDB_CLOUD_API_URL: must use https')
    expect(message).toContain(
      'CRATEDB_CLOUD_EXPORTER_LOG_FORMAT: must be one of json, pretty, auto, got "xml"'
    )
  })
})

describe('credentials', () => {
  it('from croud environment variables, inline or as files', () => {
    expect(load([], KEY_ENV).config.api.credentials).toEqual([
      { name: 'key-1', key: { value: 'env-key' }, secret: { value: 'env-secret' } }
    ])
    const { config } = loadConfig({
      flags: new Map(),
      env: { CRATEDB_CLOUD_API_KEY_FILE: '/k', CRATEDB_CLOUD_API_SECRET_FILE: '/s' },
      readFile: files({ '/k': 'k\n', '/s': 's\n' })
    })
    expect(config.api.credentials).toEqual([{ name: 'key-1', key: { file: '/k' }, secret: { file: '/s' } }])
  })

  it('never shows a secret in an error, whatever is wrong', () => {
    const env = {
      CRATEDB_CLOUD_API_KEY: 'key-AAAA',
      CRATEDB_CLOUD_API_KEY_FILE: '/k',
      CRATEDB_CLOUD_API_SECRET: 'secret-BBBB',
      CRATEDB_CLOUD_API_SECRET_FILE: '/missing',
      CRATEDB_CLOUD_EXPORTER_LOG_LEVEL: 'loud'
    }
    const message = problemsOf(() =>
      loadConfig({ flags: new Map(), env, readFile: files({ '/k': 'key-from-file-CCCC' }) })
    )
    expect(message).toContain('CRATEDB_CLOUD_API_KEY and CRATEDB_CLOUD_API_KEY_FILE: set only one of them')
    expect(message).toContain(
      'CRATEDB_CLOUD_API_SECRET and CRATEDB_CLOUD_API_SECRET_FILE: set only one of them'
    )
    for (const secret of ['key-AAAA', 'secret-BBBB', 'CCCC']) expect(message).not.toContain(secret)
  })

  it('half a key pair is an error naming the missing variable', () => {
    const message = problemsOf(() => load([], { CRATEDB_CLOUD_API_KEY: 'k' }))
    expect(message).toContain('CRATEDB_CLOUD_API_SECRET (or CRATEDB_CLOUD_API_SECRET_FILE) is missing')
    expect(message).not.toContain('at least one API key')
  })

  it('are optional for commands that say so', () => {
    const { config } = loadConfig({
      flags: new Map(),
      env: {},
      readFile: files({}),
      requireCredentials: false
    })
    expect(config.api.credentials).toEqual([])
  })

  it('an inline secret in the file is accepted with a warning', () => {
    const { warnings } = load([], {}, 'api: {credentials: [{key: k, secret: s}]}\n')
    expect(warnings).toEqual([
      'api.credentials[0].secret: the secret is written in the configuration file; prefer secret_file'
    ])
  })
})

describe('result', () => {
  it('is frozen all the way down', () => {
    const { config } = load([], KEY_ENV)
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.collectors.org_metrics)).toBe(true)
    expect(Object.isFrozen(config.api.credentials[0]?.key)).toBe(true)
    expect(Object.isFrozen(config.filters.clusters.include)).toBe(true)
  })

  it('resolves log format auto by the terminal', () => {
    expect(load([], KEY_ENV, undefined, { isTty: true }).config.log.format).toBe('pretty')
    expect(load([], KEY_ENV, undefined, { isTty: false }).config.log.format).toBe('json')
    expect(load(['--log.format=json'], KEY_ENV, undefined, { isTty: true }).config.log.format).toBe('json')
  })

  it('keeps a run shorter than its interval unless the timeout is set', () => {
    const { config, warnings } = load(
      [],
      KEY_ENV,
      'collectors: {inventory: {interval: 20s}, quotas: {interval: 1m, timeout: 2m}}\n'
    )
    expect(config.collectors.inventory.timeoutSeconds).toBe(20)
    expect(config.collectors.quotas.timeoutSeconds).toBe(120)
    expect(warnings.join('\n')).toContain('collectors.quotas.timeout: 2m is longer than the interval 1m')
  })

  it('a file that is not YAML is reported by position, without quoting the line (it may hold a secret)', () => {
    // Kept inline rather than as a fixture: the repository's formatter would refuse an invalid YAML file.
    const broken = 'api:\n  credentials:\n    - key: k\n      secret: "s3cr3t-value\n    bad: [\n'
    const message = problemsOf(() => load([], {}, broken))
    expect(message).toBe(
      'invalid configuration (1 problem):\n  - /c.yaml: not valid YAML (line 6, column 1): Missing closing "quote'
    )
    expect(message).not.toContain('s3cr3t')
  })

  it('an unreadable config file is one problem, not followed by a missing-key complaint', () => {
    const message = problemsOf(() =>
      loadConfig({ flags: new Map([['config.file', '/nope.yaml']]), env: {}, readFile: files({}) })
    )
    expect(message).toBe(
      'invalid configuration (1 problem):\n  - --config.file: cannot read "/nope.yaml" (ENOENT)'
    )
  })
})

describe('flags', () => {
  it('has the exporter-toolkit flags and one pair per collector', () => {
    const names = RUN_FLAGS.map((flag) => flag.name)
    for (const name of [
      'web.listen-address',
      'web.telemetry-path',
      'web.config.file',
      'config.file',
      'api.url',
      'api.timeout',
      'log.level',
      'log.format'
    ]) {
      expect(names).toContain(name)
    }
    for (const name of COLLECTOR_NAMES) {
      expect(RUN_FLAGS.find((flag) => flag.name === `collector.${name}`)?.type).toBe('boolean')
      expect(RUN_FLAGS.find((flag) => flag.name === `collector.${name}.interval`)?.type).toBe('string')
    }
    expect(new Set(names).size).toBe(names.length)
  })

  it('help shows defaults and environment variables', () => {
    const help = formatHelp('cratedb-cloud-exporter', RUN)
    expect(help).toContain('--web.listen-address=ADDRESS')
    expect(help).toContain('(default: :9863) [$CRATEDB_CLOUD_EXPORTER_WEB_LISTEN_ADDRESS]')
    expect(help).toContain('--[no-]collector.org_metrics')
    expect(help).toContain('--collector.org_metrics.interval=DURATION')
  })
})

describe('durations', () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['1h', 3600],
    ['1h30m', 5400],
    ['500ms', 0.5],
    ['1d', 86400],
    ['2w', 1209600]
  ])('%s is %f seconds', (text, seconds) => expect(parseDuration(text)).toBe(seconds))

  it.each(['', '5', 'fast', '1.5m', '-1s', '5m1h', '1 m'])('%j is not a duration', (text) =>
    expect(parseDuration(text)).toBeUndefined()
  )
})
