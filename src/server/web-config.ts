import { dirname, isAbsolute, resolve } from 'node:path'
import type { ServerOptions as HttpsServerOptions } from 'node:https'
import type { SecureContextOptions, SecureVersion } from 'node:tls'
import { createRequire } from 'node:module'
import type * as Yaml from 'yaml'

/**
 * The Prometheus exporter-toolkit web configuration file (--web.config.file): TLS, basic auth and
 * extra response headers; read at start and again when its files change (web-config-reload.ts). One key is ours and not the toolkit's:
 * `unauthenticated_paths`, a list of exact paths served without basic auth (for probes such as
 * /healthz and /readyz). Keys of the toolkit that this exporter does not implement are errors, so
 * that a file never silently means less than it says.
 */

// Loaded with the first file read, as config/yaml-source.ts does: most runs have no web configuration.
let yaml: typeof Yaml | undefined
const loadYaml = (): typeof Yaml => (yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml)

export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert'

export type TlsVersionName = 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13'

export interface TlsServerConfig {
  /** Absolute paths (relative ones in the file are relative to the file's directory). */
  readonly certFile: string
  readonly keyFile: string
  readonly clientCaFile: string | null
  readonly clientAuthType: ClientAuthType
  readonly minVersion: TlsVersionName
  readonly maxVersion: TlsVersionName
  /** OpenSSL names of the TLS 1.2 (and older) cipher suites offered, in preference order. */
  readonly cipherSuites: readonly string[]
  /** Whether the server's order of cipher_suites wins over the client's (prefer_server_cipher_suites). */
  readonly preferServerCipherSuites: boolean
  /** PEM contents, read when the file is loaded. */
  readonly cert: Buffer
  readonly key: Buffer
  readonly clientCa: Buffer | null
}

export interface WebConfig {
  /** The file it was read from, for messages. */
  readonly path: string
  readonly tls: TlsServerConfig | null
  /** Extra headers on every response (http_server_config.headers). */
  readonly headers: Readonly<Record<string, string>>
  /** user -> bcrypt hash; empty means no basic auth. */
  readonly basicAuthUsers: ReadonlyMap<string, string>
  /** Exact request paths served without basic auth (our extension). */
  readonly unauthenticatedPaths: readonly string[]
}

export type ReadFile = (path: string) => Buffer | string

/** CCE_WEB_CONFIG: the web configuration file cannot be read or is invalid. */
export class WebConfigError extends Error {
  override readonly name = 'WebConfigError'
  readonly code = 'CCE_WEB_CONFIG'
  /** The file, and the key (dotted path) at fault, or '' for the whole file. */
  readonly path: string
  readonly key: string

  constructor(path: string, key: string, message: string, cause?: unknown) {
    super(`${path}${key === '' ? '' : `: ${key}`}: ${message}`, cause === undefined ? undefined : { cause })
    this.path = path
    this.key = key
  }
}

const TOP_KEYS = ['tls_server_config', 'http_server_config', 'basic_auth_users', 'unauthenticated_paths']
const TLS_KEYS = [
  'cert_file',
  'key_file',
  'client_auth_type',
  'client_ca_file',
  'min_version',
  'max_version',
  'cipher_suites',
  'prefer_server_cipher_suites'
]
const HTTP_KEYS = ['headers', 'http2']
/** Toolkit keys we recognise but do not implement: named in the error instead of "unknown key". */
const UNSUPPORTED = new Set([
  'rate_limit',
  'cert',
  'key',
  'client_ca',
  'curve_preferences',
  'client_allowed_sans'
])
const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert'
]
const TLS_VERSIONS: Readonly<Record<TlsVersionName, SecureVersion>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3'
}
/** The headers, and where fixed their values, that the toolkit lets a file set. */
const ALLOWED_HEADERS: Readonly<Record<string, readonly string[] | null>> = {
  'Strict-Transport-Security': null,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': null,
  'Content-Security-Policy': null
}
/**
 * The cipher suites exporter-toolkit accepts (Go's crypto/tls CipherSuites(), the secure list) by their
 * Go names, mapped to OpenSSL's. TLS 1.3 suites are accepted and, as in Go, not configurable: they are
 * all AEAD with forward secrecy.
 */
const CIPHER_SUITES: Readonly<Record<string, string | null>> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_AES_128_GCM_SHA256: null,
  TLS_AES_256_GCM_SHA384: null,
  TLS_CHACHA20_POLY1305_SHA256: null
}
/** Without cipher_suites: forward secrecy (ECDHE) and AEAD only. */
export const DEFAULT_CIPHER_SUITES: readonly string[] = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305'
]
const TLS13_CIPHER_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256'
const BCRYPT_HASH = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/

type Node = Record<string, unknown>

class Reader {
  constructor(readonly path: string) {}

  fail(key: string, message: string, cause?: unknown): never {
    throw new WebConfigError(this.path, key, message, cause)
  }

  mapping(value: unknown, key: string, allowed: readonly string[]): Node {
    if (value === null || value === undefined) return {}
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(key, 'must be a mapping')
    for (const name of Object.keys(value)) {
      const full = key === '' ? name : `${key}.${name}`
      if (UNSUPPORTED.has(name))
        this.fail(full, 'is an exporter-toolkit option this exporter does not support')
      if (!allowed.includes(name)) this.fail(full, `unknown key (known: ${allowed.join(', ')})`)
    }
    return value as Node
  }

  optionalString(node: Node, name: string, key: string): string | null {
    const value = node[name]
    if (value === undefined || value === null || value === '') return null
    if (typeof value !== 'string') this.fail(`${key}.${name}`, 'must be a string')
    return value
  }

  oneOf<T extends string>(node: Node, name: string, key: string, values: readonly T[], fallback: T): T {
    const value = this.optionalString(node, name, key)
    if (value === null) return fallback
    if (!(values as readonly string[]).includes(value)) {
      this.fail(`${key}.${name}`, `must be one of ${values.join(', ')}, not ${JSON.stringify(value)}`)
    }
    return value as T
  }
}

function parseCipherSuites(reader: Reader, value: unknown, key: string): string[] {
  if (value === null || value === undefined) return [...DEFAULT_CIPHER_SUITES]
  if (!Array.isArray(value) || value.length === 0)
    reader.fail(key, 'must be a non-empty list of cipher suite names')
  const names: string[] = []
  value.forEach((name: unknown, index) => {
    if (typeof name !== 'string' || !(name in CIPHER_SUITES)) {
      reader.fail(
        `${key}[${index}]`,
        `must be one of ${Object.keys(CIPHER_SUITES).join(', ')}${typeof name === 'string' ? `, not ${JSON.stringify(name.slice(0, 80))}` : ''}`
      )
    }
    const openssl = CIPHER_SUITES[name]
    if (openssl !== null && openssl !== undefined) names.push(openssl)
  })
  if (names.length === 0)
    reader.fail(key, 'names only TLS 1.3 suites, which are not configurable; name TLS 1.2 suites')
  return names
}

function readPem(reader: Reader, key: string, file: string, readFile: ReadFile): Buffer {
  let content: Buffer | string
  try {
    content = readFile(file)
  } catch (error) {
    return reader.fail(
      key,
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
      error
    )
  }
  const buffer = typeof content === 'string' ? Buffer.from(content) : content
  if (!buffer.toString('latin1').includes('-----BEGIN ')) reader.fail(key, `${file} is not a PEM file`)
  return buffer
}

function parseTls(reader: Reader, value: unknown, readFile: ReadFile): TlsServerConfig | null {
  const key = 'tls_server_config'
  const node = reader.mapping(value, key, TLS_KEYS)
  if (Object.keys(node).length === 0) return null
  const base = dirname(reader.path)
  const file = (name: string): string | null => {
    const given = reader.optionalString(node, name, key)
    return given === null ? null : isAbsolute(given) ? given : resolve(base, given)
  }
  const certFile = file('cert_file') ?? reader.fail(`${key}.cert_file`, 'is required when TLS is configured')
  const keyFile = file('key_file') ?? reader.fail(`${key}.key_file`, 'is required when TLS is configured')
  const clientCaFile = file('client_ca_file')
  const clientAuthType = reader.oneOf(node, 'client_auth_type', key, CLIENT_AUTH_TYPES, 'NoClientCert')
  const versions = Object.keys(TLS_VERSIONS) as TlsVersionName[]
  const minVersion = reader.oneOf(node, 'min_version', key, versions, 'TLS12')
  const maxVersion = reader.oneOf(node, 'max_version', key, versions, 'TLS13')
  if (minVersion > maxVersion) reader.fail(`${key}.min_version`, `is above max_version ${maxVersion}`)
  const cipherSuites = parseCipherSuites(reader, node['cipher_suites'], `${key}.cipher_suites`)
  const prefer = node['prefer_server_cipher_suites']
  if (prefer !== undefined && prefer !== null && typeof prefer !== 'boolean') {
    reader.fail(`${key}.prefer_server_cipher_suites`, 'must be true or false')
  }
  if (clientCaFile !== null && clientAuthType === 'NoClientCert') {
    reader.fail(`${key}.client_ca_file`, 'is set but client_auth_type does not ask for client certificates')
  }
  if (clientCaFile === null && clientAuthType.includes('Verify')) {
    reader.fail(`${key}.client_ca_file`, `is required with client_auth_type ${clientAuthType}`)
  }
  return {
    certFile,
    keyFile,
    clientCaFile,
    clientAuthType,
    minVersion,
    maxVersion,
    cipherSuites,
    preferServerCipherSuites: prefer !== false,
    cert: readPem(reader, `${key}.cert_file`, certFile, readFile),
    key: readPem(reader, `${key}.key_file`, keyFile, readFile),
    clientCa: clientCaFile === null ? null : readPem(reader, `${key}.client_ca_file`, clientCaFile, readFile)
  }
}

function parseHeaders(reader: Reader, value: unknown): Record<string, string> {
  const node = reader.mapping(value, 'http_server_config', HTTP_KEYS)
  const http2 = node['http2']
  if (http2 !== undefined && http2 !== null && typeof http2 !== 'boolean') {
    reader.fail('http_server_config.http2', 'must be true or false')
  }
  const headers = reader.mapping(node['headers'], 'http_server_config.headers', Object.keys(ALLOWED_HEADERS))
  const result: Record<string, string> = {}
  for (const [name, raw] of Object.entries(headers)) {
    const key = `http_server_config.headers.${name}`
    if (typeof raw !== 'string' || /[\r\n]/.test(raw)) reader.fail(key, 'must be a single-line string')
    const allowed = ALLOWED_HEADERS[name]
    if (allowed !== null && allowed !== undefined && !allowed.includes(raw)) {
      reader.fail(key, `must be one of ${allowed.join(', ')}`)
    }
    result[name] = raw
  }
  return result
}

function parseUsers(reader: Reader, value: unknown): Map<string, string> {
  const users = new Map<string, string>()
  if (value === null || value === undefined) return users
  if (typeof value !== 'object' || Array.isArray(value)) reader.fail('basic_auth_users', 'must be a mapping')
  for (const [user, hash] of Object.entries(value as Node)) {
    // the hash itself is never quoted back: it is a secret too
    if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
      reader.fail(`basic_auth_users.${user}`, 'must be a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)')
    }
    if (user.includes(':')) reader.fail(`basic_auth_users.${user}`, 'a user name cannot contain ":"')
    users.set(user, hash)
  }
  return users
}

function parsePaths(reader: Reader, value: unknown): string[] {
  if (value === null || value === undefined) return []
  if (!Array.isArray(value)) reader.fail('unauthenticated_paths', 'must be a list of paths')
  return value.map((path: unknown, index) => {
    if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) {
      reader.fail(`unauthenticated_paths[${index}]`, 'must be a path starting with "/", without query')
    }
    return path
  })
}

/** Parses and validates the file's text; certificate files are read through readFile. */
export function parseWebConfig(text: string, path: string, readFile: ReadFile): WebConfig {
  const reader = new Reader(path)
  let document: unknown
  try {
    document = loadYaml().parse(text, { uniqueKeys: true })
  } catch (error) {
    reader.fail('', `not valid YAML: ${error instanceof Error ? error.message : String(error)}`, error)
  }
  const root = reader.mapping(document, '', TOP_KEYS)
  return Object.freeze({
    path,
    tls: parseTls(reader, root['tls_server_config'], readFile),
    headers: Object.freeze(parseHeaders(reader, root['http_server_config'])),
    basicAuthUsers: parseUsers(reader, root['basic_auth_users']),
    unauthenticatedPaths: Object.freeze(parsePaths(reader, root['unauthenticated_paths']))
  })
}

export function loadWebConfig(path: string, readFile: ReadFile): WebConfig {
  let content: Buffer | string
  try {
    content = readFile(path)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new WebConfigError(path, '', `cannot read the web configuration file: ${message}`, error)
  }
  return parseWebConfig(typeof content === 'string' ? content : content.toString('utf8'), path, readFile)
}

/** The certificate, key, client CA, protocol versions and ciphers: what a running server's context can take. */
export function secureContextOptions(tls: TlsServerConfig): SecureContextOptions {
  const options: SecureContextOptions = {
    cert: tls.cert,
    key: tls.key,
    minVersion: TLS_VERSIONS[tls.minVersion],
    maxVersion: TLS_VERSIONS[tls.maxVersion],
    ciphers: `${TLS13_CIPHER_SUITES}:${tls.cipherSuites.join(':')}`,
    honorCipherOrder: tls.preferServerCipherSuites
  }
  if (tls.clientCa !== null) options.ca = tls.clientCa
  return options
}

/**
 * Options for fastify({ https }) / https.createServer, or null without TLS. Client certificates are
 * requested whenever client_auth_type asks for them; the cases node cannot enforce in the handshake
 * (RequireAnyClientCert, VerifyClientCertIfGiven) are enforced per request by buildServer.
 */
export function httpsServerOptions(config: WebConfig | null): HttpsServerOptions | null {
  const tls = config?.tls ?? null
  if (tls === null) return null
  return {
    ...secureContextOptions(tls),
    requestCert: tls.clientAuthType !== 'NoClientCert',
    rejectUnauthorized: tls.clientAuthType === 'RequireAndVerifyClientCert'
  }
}
