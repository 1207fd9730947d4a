import { describe, expect, it } from 'vitest'
import { parseFlags } from '../../../src/cli/flags.js'
import { ConfigError, RUN_FLAGS, loadConfig } from '../../../src/config/index.js'

const KEY_ENV = { CRATEDB_CLOUD_API_KEY: 'env-key', CRATEDB_CLOUD_API_SECRET: 'env-secret' }
const RUN = { name: 'run', summary: 'Run the exporter.', flags: RUN_FLAGS }

function load(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return loadConfig({
    flags: parseFlags(RUN, argv).values,
    env: { ...KEY_ENV, ...env },
    readFile: () => {
      throw new Error('no file')
    }
  }).config
}

function problem(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    load(argv, env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('expected a ConfigError')
}

describe('sharding settings', () => {
  it('is one shard of one by default', () => {
    expect(load([]).sharding).toEqual({ total: 1, ordinal: 0 })
  })

  it('takes --total-shards and --shard', () => {
    expect(load(['--total-shards=3', '--shard=2']).sharding).toEqual({ total: 3, ordinal: 2 })
  })

  it('takes the ordinal from the StatefulSet pod name with --shard.from-pod-name', () => {
    expect(
      load(['--total-shards=4', '--shard.from-pod-name'], { POD_NAME: 'cratedb-cloud-exporter-3' }).sharding
    ).toEqual({ total: 4, ordinal: 3 })
  })

  it('refuses an ordinal outside the total, a pod name without ordinal, a missing POD_NAME', () => {
    expect(problem(['--total-shards=3', '--shard=3'])).toContain(
      '--shard: 3 must be less than --total-shards (3)'
    )
    expect(problem(['--total-shards=3', '--shard.from-pod-name'], { POD_NAME: 'exporter' })).toContain(
      'POD_NAME="exporter" does not end in "-<ordinal>"'
    )
    expect(problem(['--total-shards=3', '--shard.from-pod-name'])).toContain('POD_NAME is not set')
    expect(problem(['--total-shards=0'])).toContain('--total-shards: must be a whole number from 1')
    expect(problem(['--shard=-1'])).toContain('--shard: must be a whole number from 0')
  })

  it('reads the environment variables', () => {
    expect(
      load([], { CRATEDB_CLOUD_EXPORTER_TOTAL_SHARDS: '2', CRATEDB_CLOUD_EXPORTER_SHARD: '1' }).sharding
    ).toEqual({ total: 2, ordinal: 1 })
  })
})

describe('web settings for per-cluster targets', () => {
  it('takes --web.external-url and --web.probe-only', () => {
    const config = load(['--web.external-url=https://exporter.example.org/x/', '--web.probe-only'])
    expect(config.web.externalUrl).toBe('https://exporter.example.org/x')
    expect(config.web.probeOnly).toBe(true)
    expect(load([]).web).toMatchObject({ externalUrl: null, probeOnly: false })
  })

  it('refuses an external URL with credentials or another scheme', () => {
    expect(problem(['--web.external-url=ftp://h'])).toContain('must be an http or https URL')
    expect(problem(['--web.external-url=http://u:p@h'])).toContain('must not have a user, password')
  })
})
