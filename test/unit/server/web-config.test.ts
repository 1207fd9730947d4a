import { describe, expect, it } from 'vitest'
import {
  httpsServerOptions,
  loadWebConfig,
  parseWebConfig,
  WebConfigError
} from '../../../src/server/web-config.js'

const HASH = '$2b$04$4LlGNXJBCOfBiYhUKxUYoeyhM2uIvWvWjyfTTz42xfeIIMgr6urAC'
const PATH = '/etc/exporter/web.yml'

/** A fake file system with PEM-looking contents, recording what was read. */
function files(contents: Record<string, string> = {}) {
  const read: string[] = []
  const readFile = (path: string): Buffer => {
    read.push(path)
    const content = contents[path] ?? (path.endsWith('.pem') ? `-----BEGIN X-----\n${path}\n` : undefined)
    if (content === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`)
    return Buffer.from(content)
  }
  return { readFile, read }
}

describe('parseWebConfig: valid files', () => {
  it('accepts an empty file: no TLS, no auth', () => {
    const config = parseWebConfig('', PATH, files().readFile)
    expect(config).toMatchObject({ path: PATH, tls: null, headers: {}, unauthenticatedPaths: [] })
    expect(config.basicAuthUsers.size).toBe(0)
    expect(httpsServerOptions(config)).toBeNull()
  })

  it('reads TLS files relative to the file, with defaults like the toolkit', () => {
    const fs = files()
    const config = parseWebConfig(
      'tls_server_config:\n  cert_file: tls/server.pem\n  key_file: /abs/server-key.pem\n',
      PATH,
      fs.readFile
    )
    expect(config.tls).toMatchObject({
      certFile: '/etc/exporter/tls/server.pem',
      keyFile: '/abs/server-key.pem',
      clientCaFile: null,
      clientAuthType: 'NoClientCert',
      minVersion: 'TLS12',
      maxVersion: 'TLS13'
    })
    expect(fs.read).toEqual(['/etc/exporter/tls/server.pem', '/abs/server-key.pem'])
    expect(httpsServerOptions(config)).toMatchObject({
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      requestCert: false,
      rejectUnauthorized: false
    })
  })

  it('maps client_auth_type to node options', () => {
    const config = parseWebConfig(
      [
        'tls_server_config:',
        '  cert_file: c.pem',
        '  key_file: k.pem',
        '  client_ca_file: ca.pem',
        '  client_auth_type: RequireAndVerifyClientCert',
        '  min_version: TLS13'
      ].join('\n'),
      PATH,
      files().readFile
    )
    const options = httpsServerOptions(config)
    expect(options).toMatchObject({ requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' })
    expect(String(options?.ca)).toContain('/etc/exporter/ca.pem')
  })

  it('reads basic auth users, allowed headers, http2 and our unauthenticated_paths', () => {
    const config = parseWebConfig(
      [
        'basic_auth_users:',
        `  prometheus: "${HASH}"`,
        `  other: '${HASH.replace('$2b$', '$2y$')}'`,
        'http_server_config:',
        '  http2: false',
        '  headers:',
        '    X-Frame-Options: deny',
        '    Strict-Transport-Security: max-age=31536000',
        'unauthenticated_paths: [/healthz, /readyz]'
      ].join('\n'),
      PATH,
      files().readFile
    )
    expect([...config.basicAuthUsers.keys()]).toEqual(['prometheus', 'other'])
    expect(config.headers).toEqual({
      'X-Frame-Options': 'deny',
      'Strict-Transport-Security': 'max-age=31536000'
    })
    expect(config.unauthenticatedPaths).toEqual(['/healthz', '/readyz'])
  })
})

describe('parseWebConfig: invalid files', () => {
  it.each([
    ['not yaml', 'basic_auth_users: [', ''],
    ['duplicate key', 'http_server_config: {}\nhttp_server_config: {}', ''],
    ['not a mapping', '- a\n- b', ''],
    ['unknown top-level key', 'basic_auth: {}', 'basic_auth'],
    ['unsupported toolkit key', 'rate_limit: {burst: 1}', 'rate_limit'],
    [
      'unknown TLS key',
      'tls_server_config: {cert_file: c.pem, key_file: k.pem, certfile: x}',
      'tls_server_config.certfile'
    ],
    [
      'unsupported TLS key',
      'tls_server_config: {cert_file: c.pem, key_file: k.pem, curve_preferences: []}',
      'tls_server_config.curve_preferences'
    ],
    [
      'empty cipher_suites',
      'tls_server_config: {cert_file: c.pem, key_file: k.pem, cipher_suites: []}',
      'tls_server_config.cipher_suites'
    ],
    [
      'unknown cipher suite',
      'tls_server_config: {cert_file: c.pem, key_file: k.pem, cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]}',
      'tls_server_config.cipher_suites[0]'
    ],
    [
      'only TLS 1.3 cipher suites',
      'tls_server_config: {cert_file: c.pem, key_file: k.pem, cipher_suites: [TLS_AES_128_GCM_SHA256]}',
      'tls_server_config.cipher_suites'
    ],
    ['missing key_file', 'tls_server_config: {cert_file: c.pem}', 'tls_server_config.key_file'],
    ['missing cert_file', 'tls_server_config: {key_file: k.pem}', 'tls_server_config.cert_file'],
    [
      'unreadable cert',
      'tls_server_config: {cert_file: missing.crt, key_file: k.pem}',
      'tls_server_config.cert_file'
    ],
    ['not PEM', 'tls_server_config: {cert_file: plain.txt, key_file: k.pem}', 'tls_server_config.cert_file'],
    [
      'bad client_auth_type',
      'tls_server_config: {cert_file: c.pem, key_file: k.pem, client_auth_type: Always}',
      'tls_server_config.client_auth_type'
    ],
    [
      'CA without client auth',
      'tls_server_config: {cert_file: c.pem, key_file: k.pem, client_ca_file: ca.pem}',
      'tls_server_config.client_ca_file'
    ],
    [
      'verify without CA',
      'tls_server_config: {cert_file: c.pem, key_file: k.pem, client_auth_type: RequireAndVerifyClientCert}',
      'tls_server_config.client_ca_file'
    ],
    [
      'bad min_version',
      'tls_server_config: {cert_file: c.pem, key_file: k.pem, min_version: TLS1.2}',
      'tls_server_config.min_version'
    ],
    [
      'min above max',
      'tls_server_config: {cert_file: c.pem, key_file: k.pem, min_version: TLS13, max_version: TLS12}',
      'tls_server_config.min_version'
    ],
    ['header not allowed', 'http_server_config: {headers: {Server: x}}', 'http_server_config.headers.Server'],
    [
      'header value not allowed',
      'http_server_config: {headers: {X-Frame-Options: allow}}',
      'http_server_config.headers.X-Frame-Options'
    ],
    ['http2 not boolean', 'http_server_config: {http2: yes please}', 'http_server_config.http2'],
    ['password in clear', 'basic_auth_users: {prometheus: hunter2}', 'basic_auth_users.prometheus'],
    ['users not a mapping', 'basic_auth_users: [a]', 'basic_auth_users'],
    ['relative open path', 'unauthenticated_paths: [healthz]', 'unauthenticated_paths[0]'],
    ['open path with query', 'unauthenticated_paths: ["/healthz?x"]', 'unauthenticated_paths[0]'],
    ['open paths not a list', 'unauthenticated_paths: /healthz', 'unauthenticated_paths']
  ])('rejects %s with the file and the key', (_name, text, key) => {
    const fs = files({ '/etc/exporter/plain.txt': 'hello' })
    let caught: unknown
    try {
      parseWebConfig(text, PATH, fs.readFile)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(WebConfigError)
    const error = caught as WebConfigError
    expect(error.code).toBe('CCE_WEB_CONFIG')
    expect(error.path).toBe(PATH)
    expect(error.key).toBe(key)
    expect(error.message.startsWith(`${PATH}${key === '' ? '' : `: ${key}`}: `)).toBe(true)
  })

  it('never quotes a password or hash back in the error', () => {
    expect(() => parseWebConfig('basic_auth_users: {prometheus: hunter2}', PATH, files().readFile)).toThrow(
      /^(?!.*hunter2).*bcrypt hash/
    )
  })

  it('loadWebConfig reports an unreadable file with its path', () => {
    expect(() => loadWebConfig('/nope/web.yml', files().readFile)).toThrow(
      "/nope/web.yml: cannot read the web configuration file: ENOENT: no such file or directory, open '/nope/web.yml'"
    )
    const config = loadWebConfig(
      '/ok/web.yml',
      files({ '/ok/web.yml': 'unauthenticated_paths: [/healthz]' }).readFile
    )
    expect(config.unauthenticatedPaths).toEqual(['/healthz'])
  })
})
