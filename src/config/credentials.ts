/**
 * API credentials from the environment (croud's variable names) or the YAML file's `api.credentials`.
 * The environment, when it sets any of its variables, replaces the file's list (precedence env > file).
 * Secret files are checked for being readable and non-empty at start; their content is never kept here
 * nor shown: the client reads them again while running.
 */
import type { CredentialConfig, SecretSource } from './types.js'
import { didYouMean, shown } from './parse.js'

export const CREDENTIAL_ENV = {
  key: 'CRATEDB_CLOUD_API_KEY',
  secret: 'CRATEDB_CLOUD_API_SECRET',
  keyFile: 'CRATEDB_CLOUD_API_KEY_FILE',
  secretFile: 'CRATEDB_CLOUD_API_SECRET_FILE'
} as const

export const MISSING_CREDENTIALS =
  'api.credentials: at least one API key is required: set CRATEDB_CLOUD_API_KEY and CRATEDB_CLOUD_API_SECRET ' +
  '(or CRATEDB_CLOUD_API_KEY_FILE and CRATEDB_CLOUD_API_SECRET_FILE), or list api.credentials ' +
  '(name, key or key_file, secret or secret_file) in the file given by --config.file'

interface Context {
  readonly readFile: (path: string) => string
  readonly problems: string[]
  readonly warnings: string[]
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

/** The one credential of the environment, null when none of its variables is set. */
export function credentialFromEnv(env: NodeJS.ProcessEnv, context: Context): CredentialConfig | null {
  const key = nonEmpty(env[CREDENTIAL_ENV.key])
  const keyFile = nonEmpty(env[CREDENTIAL_ENV.keyFile])
  const secret = nonEmpty(env[CREDENTIAL_ENV.secret])
  const secretFile = nonEmpty(env[CREDENTIAL_ENV.secretFile])
  if ([key, keyFile, secret, secretFile].every((value) => value === undefined)) return null
  const keySource = pick(key, keyFile, CREDENTIAL_ENV.key, CREDENTIAL_ENV.keyFile, context)
  const secretSource = pick(secret, secretFile, CREDENTIAL_ENV.secret, CREDENTIAL_ENV.secretFile, context)
  if (keySource === undefined || secretSource === undefined) return null
  return { name: 'key-1', key: keySource, secret: secretSource }
}

function pick(
  value: string | undefined,
  file: string | undefined,
  valueName: string,
  fileName: string,
  context: Context
): SecretSource | undefined {
  if (value !== undefined && file !== undefined) {
    context.problems.push(`${valueName} and ${fileName}: set only one of them`)
    return undefined
  }
  if (value !== undefined) return { value: value.trim() }
  if (file !== undefined) return checkFile(file, fileName, context)
  context.problems.push(`${valueName} (or ${fileName}) is missing: an API key needs both a key and a secret`)
  return undefined
}

function checkFile(path: string, where: string, context: Context): SecretSource | undefined {
  let content: string
  try {
    content = context.readFile(path)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    context.problems.push(
      `${where}: cannot read ${JSON.stringify(path)} (${typeof code === 'string' ? code : 'error'})`
    )
    return undefined
  }
  if (content.trim() === '') {
    context.problems.push(`${where}: ${JSON.stringify(path)} is empty`)
    return undefined
  }
  return { file: path }
}

const ENTRY_KEYS = ['name', 'key', 'secret', 'key_file', 'secret_file']
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/

/** `api.credentials` of the YAML file. */
export function credentialsFromYaml(raw: unknown, context: Context): CredentialConfig[] {
  const path = 'api.credentials'
  if (raw === null || raw === undefined) return []
  if (!Array.isArray(raw)) {
    // A string here is often a key or secret written in the wrong place: it is never echoed.
    const got = typeof raw === 'string' ? 'a string' : shown(raw)
    context.problems.push(
      `${path}: must be a list of {name, key | key_file, secret | secret_file}, got ${got}`
    )
    return []
  }
  const result: CredentialConfig[] = []
  const names = new Set<string>()
  raw.forEach((entry: unknown, index) => {
    const at = `${path}[${index}]`
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      context.problems.push(`${at}: must be a mapping with key or key_file and secret or secret_file`)
      return
    }
    const record = entry as Record<string, unknown>
    for (const field of Object.keys(record)) {
      if (!ENTRY_KEYS.includes(field))
        context.problems.push(`${at}.${field}: unknown key${didYouMean(field, ENTRY_KEYS)}`)
    }
    const name = record['name'] ?? `key-${index + 1}`
    if (typeof name !== 'string' || !NAME.test(name)) {
      context.problems.push(
        `${at}.name: must be letters, digits, ".", "_" or "-" (at most 63), got ${shown(name)}`
      )
      return
    }
    if (names.has(name)) context.problems.push(`${at}.name: ${JSON.stringify(name)} is used twice`)
    names.add(name)
    const key = secretSource(record, 'key', at, context)
    const secret = secretSource(record, 'secret', at, context)
    if (key !== undefined && secret !== undefined) result.push({ name, key, secret })
  })
  return result
}

function secretSource(
  record: Record<string, unknown>,
  field: 'key' | 'secret',
  at: string,
  context: Context
): SecretSource | undefined {
  const value = record[field]
  const file = record[`${field}_file`]
  if (value !== undefined && value !== null && file !== undefined && file !== null) {
    context.problems.push(`${at}: give ${field} or ${field}_file, not both`)
    return undefined
  }
  if (value !== undefined && value !== null) {
    // The value itself is never echoed: it may be a secret typed in the wrong place.
    if (typeof value !== 'string' || value.trim() === '') {
      context.problems.push(`${at}.${field}: must be a non-empty string`)
      return undefined
    }
    if (field === 'secret') {
      context.warnings.push(
        `${at}.secret: the secret is written in the configuration file; prefer secret_file`
      )
    }
    return { value: value.trim() }
  }
  if (file !== undefined && file !== null) {
    if (typeof file !== 'string' || file.trim() === '') {
      context.problems.push(`${at}.${field}_file: must be a file path, got ${shown(file)}`)
      return undefined
    }
    return checkFile(file, `${at}.${field}_file`, context)
  }
  context.problems.push(`${at}: ${field} or ${field}_file is required`)
  return undefined
}
