import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import type { FlagValue } from '../../src/cli/flags.js'
import { ConfigError, RUN_FLAGS, loadConfig } from '../../src/config/index.js'
import { SETTINGS } from '../../src/config/settings.js'
import type { Config } from '../../src/config/types.js'

/**
 * Random YAML documents, flag maps, environments and secret files: loadConfig returns a deeply frozen
 * Config or throws a ConfigError listing problems, never anything else, and no secret value appears in
 * a problem or a warning.
 */

/** Secrets are recognisable tokens, so a leak is found by substring search. */
const secret = fc.stringMatching(/^[a-z0-9]{6,12}$/).map((tail) => `sEcReT${tail}`)

const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 100_000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('30s', '1m', '500ms', '0', '-1s', '1h30m', 'true', ':9863', '127.0.0.1:0', '/metrics'),
  fc.constantFrom('https://console.cratedb.cloud', 'http://127.0.0.1:1', 'http://example.com', 'ftp://x')
)

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 3 })
  )
})).node

const knownPath = fc.constantFrom(...SETTINGS.map((setting) => setting.path), 'collectors.unknown.interval')

const credentialEntry = fc.record(
  {
    name: fc.oneof(fc.constantFrom('primary', 'standby', 'bad name', ''), fc.integer()),
    key: fc.oneof(secret, fc.constant(''), fc.integer()),
    secret: fc.oneof(secret, fc.constant(' '), fc.constant(null)),
    key_file: fc.constantFrom('/secrets/key', '/missing', '', 7),
    secret_file: fc.constantFrom('/secrets/secret', '/secrets/empty', '/missing'),
    scret: secret
  },
  { requiredKeys: [] }
)

const credentials = fc.oneof(
  fc.array(fc.oneof(credentialEntry, secret, fc.constant(null)), { maxLength: 3 }),
  secret,
  fc.dictionary(fc.constantFrom('key', 'secret'), secret)
)

function setPath(target: Record<string, unknown>, path: string, leaf: unknown): void {
  const parts = path.split('.')
  let node = target
  parts.slice(0, -1).forEach((part) => {
    const next = node[part]
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {}
    node = node[part] as Record<string, unknown>
  })
  node[parts.at(-1)!] = leaf
}

const document = fc
  .record({
    settings: fc.array(fc.tuple(knownPath, value), { maxLength: 6 }),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 2 }),
    credentials: fc.option(credentials, { nil: undefined }),
    damage: fc.option(fc.tuple(fc.nat(), fc.constantFrom(':', '\t', '[', '{', '*x', '- ', '"')), {
      nil: undefined
    })
  })
  .map(({ settings, extra, credentials: creds, damage }) => {
    const root: Record<string, unknown> = { ...extra }
    for (const [path, leaf] of settings) setPath(root, path, leaf)
    if (creds !== undefined) setPath(root, 'api.credentials', creds)
    let text = stringify(root)
    if (damage !== undefined) {
      const at = damage[0] % (text.length + 1)
      text = text.slice(0, at) + damage[1] + text.slice(at)
    }
    return text
  })

const flagName = fc.constantFrom(
  ...RUN_FLAGS.map((flag) => flag.name).filter((name) => name !== 'config.file')
)
const flagValue: fc.Arbitrary<FlagValue> = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.boolean(),
  fc.constantFrom('1s', '15s', 'debug', 'json', '127.0.0.1:0', 'https://console.cratedb.cloud', '')
)
const flags = fc.array(fc.tuple(flagName, flagValue), { maxLength: 4 })

const env = fc.record(
  {
    CRATEDB_CLOUD_API_KEY: fc.oneof(secret, fc.constant(''), fc.constant('  ')),
    CRATEDB_CLOUD_API_SECRET: fc.oneof(secret, fc.constant('')),
    CRATEDB_CLOUD_API_KEY_FILE: fc.constantFrom('/secrets/key', '/missing', '/secrets/empty'),
    CRATEDB_CLOUD_API_SECRET_FILE: fc.constantFrom('/secrets/secret', '/missing'),
    CRATEDB_CLOUD_API_URL: fc.oneof(fc.string({ maxLength: 10 }), fc.constant('http://127.0.0.1:9')),
    CRATEDB_CLOUD_EXPORTER_LOG_LEVEL: fc.constantFrom('debug', 'loud', '')
  },
  { requiredKeys: [] }
)

function expectDeepFrozen(value: unknown, path = 'config'): void {
  if (typeof value !== 'object' || value === null) return
  expect(Object.isFrozen(value), `${path} is frozen`).toBe(true)
  for (const [key, child] of Object.entries(value)) expectDeepFrozen(child, `${path}.${key}`)
}

describe('configuration loading (fuzzed)', () => {
  it('returns a frozen Config or a ConfigError, never leaking a secret', () => {
    fc.assert(
      fc.property(
        document,
        flags,
        env,
        secret,
        secret,
        fc.boolean(),
        (yaml, flagList, environment, fileKey, fileSecret, useFile) => {
          const files: Record<string, string> = {
            '/c.yaml': yaml,
            '/secrets/key': `${fileKey}\n`,
            '/secrets/secret': fileSecret,
            '/secrets/empty': '\n'
          }
          const map = new Map<string, FlagValue>(flagList)
          if (useFile) map.set('config.file', '/c.yaml')
          const secrets = [
            fileKey,
            fileSecret,
            ...[...yaml.matchAll(/sEcReT[a-z0-9]+/g)].map((m) => m[0]),
            ...Object.values(environment).filter(
              (v): v is string => typeof v === 'string' && v.startsWith('sEcReT')
            )
          ]
          let config: Config | undefined
          let warnings: readonly string[] = []
          try {
            const loaded = loadConfig({
              flags: map,
              env: environment,
              readFile: (path) => {
                const content = files[path]
                if (content === undefined)
                  throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
                return content
              }
            })
            config = loaded.config
            warnings = loaded.warnings
          } catch (error) {
            if (!(error instanceof ConfigError)) throw error
            expect(error.problems.length).toBeGreaterThan(0)
            expect(error.code).toBe('CCE_CONFIG')
            for (const s of secrets) expect(error.message).not.toContain(s)
            return
          }
          expectDeepFrozen(config)
          expect(config.api.credentials.length).toBeGreaterThan(0)
          for (const s of secrets) for (const warning of warnings) expect(warning).not.toContain(s)
          // Names, not values, identify a credential: nothing that is shown carries a secret.
          for (const s of secrets) for (const c of config.api.credentials) expect(c.name).not.toContain(s)
        }
      ),
      { numRuns: 600, seed: Number(process.env['FUZZ_SEED'] ?? 20240611) }
    )
  })
})
