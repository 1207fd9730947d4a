import { X509Certificate } from 'node:crypto'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { get as httpsGet } from 'node:https'
import { connect } from 'node:tls'
import bcrypt from 'bcryptjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildServer } from '../../../src/server/build-server.js'
import { loadWebConfig } from '../../../src/server/web-config.js'
import { externalTool } from '../../helpers/environment.js'
import { waitFor } from '../../helpers/exporter.js'
import { writeSelfSignedCertificate } from '../../helpers/tls.js'
import { captureLogger, fakeView, testSelfMetrics } from './fake-view.js'

/**
 * Certificate renewal without a restart: the files named by tls_server_config are replaced while the
 * server runs, and the next TLS handshake on loopback presents the new certificate. Two certificates
 * are made for this run by openssl (no key is committed).
 */
const openssl = externalTool('openssl')
let dir = ''

/** The SHA-256 fingerprint of the certificate the server presents in a new handshake. */
function presented(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256 ?? 'none'
      socket.end()
      resolve(fingerprint)
    })
    socket.once('error', reject)
  })
}

/** A server on 127.0.0.1 whose web configuration is `path`, checked for changes every 50 ms. */
async function startReloading(
  path: string,
  selfMetrics = testSelfMetrics()
): Promise<{ app: FastifyInstance; url: string; port: number; lines: () => string[] }> {
  const { logger, lines } = captureLogger('info')
  const app = buildServer({
    view: fakeView(),
    logger,
    telemetryPath: '/metrics',
    webConfig: loadWebConfig(path, (file) => readFileSync(file)),
    selfMetrics,
    webConfigReloadIntervalMs: 50
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { app, url, port: address.port, lines }
}

const fingerprintOf = (path: string): string => new X509Certificate(readFileSync(path)).fingerprint256

describe.skipIf(openssl === undefined)('TLS certificate reload', () => {
  let app: FastifyInstance | undefined
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cce-tls-reload-'))
    for (const name of ['a', 'b']) {
      mkdirSync(join(dir, name))
      writeSelfSignedCertificate(openssl!, join(dir, name))
    }
  })
  afterAll(async () => {
    await app?.close()
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  it('serves a renewed certificate from the next handshake, and keeps the old one when the new files do not match', async () => {
    const live = join(dir, 'live')
    mkdirSync(live)
    copyFileSync(join(dir, 'a', 'cert.pem'), join(live, 'cert.pem'))
    copyFileSync(join(dir, 'a', 'key.pem'), join(live, 'key.pem'))
    const webConfigPath = join(live, 'web.yml')
    writeFileSync(webConfigPath, 'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n')
    const started = await startReloading(webConfigPath)
    app = started.app
    const { port, lines } = started
    const a = fingerprintOf(join(dir, 'a', 'cert.pem'))
    const b = fingerprintOf(join(dir, 'b', 'cert.pem'))
    expect(a).not.toBe(b)
    expect(await presented(port)).toBe(a)

    // Renewal: both files replaced (as a rotated Secret or cert-manager does).
    copyFileSync(join(dir, 'b', 'key.pem'), join(live, 'key.pem'))
    copyFileSync(join(dir, 'b', 'cert.pem'), join(live, 'cert.pem'))
    await waitFor('certificate b', async () => (await presented(port)) === b, 5000)
    await waitFor(
      'the reload log line',
      () => lines().some((l) => l.includes('web configuration reloaded')),
      2000
    )

    // A certificate whose key is not beside it: refused, certificate b stays in use.
    const refusals = (): number => lines().filter((line) => line.includes('not applied')).length
    expect(refusals()).toBe(0)
    copyFileSync(join(dir, 'a', 'cert.pem'), join(live, 'cert.pem'))
    await waitFor('the refusal log line', () => refusals() === 1, 5000)
    expect(await presented(port)).toBe(b)
    const refusal = lines().find((line) => line.includes('not applied')) ?? ''
    expect(refusal).toMatch(/"level":40/)
    expect(refusal).not.toContain('PRIVATE KEY')
    expect(refusal).not.toContain(readFileSync(join(dir, 'b', 'key.pem'), 'utf8').split('\n')[1])

    // Mended: the matching key arrives, and certificate a is served again.
    copyFileSync(join(dir, 'a', 'key.pem'), join(live, 'key.pem'))
    await waitFor('certificate a again', async () => (await presented(port)) === a, 5000)
    await app.close()
    app = undefined
  })
})

describe.skipIf(openssl === undefined)('a reload over https that would remove basic auth', () => {
  it('is refused: a file with only tls_server_config keeps basic auth on', async () => {
    const work = mkdtempSync(join(tmpdir(), 'cce-tls-weaken-'))
    writeSelfSignedCertificate(openssl!, work)
    const path = join(work, 'web.yml')
    const tlsOnly = 'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n'
    writeFileSync(path, `${tlsOnly}basic_auth_users:\n  alice: ${bcrypt.hashSync('secret', 4)}\n`)
    const { app: server, port, lines } = await startReloading(path)
    const anonymous = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const request = httpsGet(
          { host: '127.0.0.1', port, path: '/metrics', rejectUnauthorized: false },
          (response) => {
            response.resume()
            resolve(response.statusCode ?? 0)
          }
        )
        request.once('error', reject)
      })
    try {
      expect(await anonymous()).toBe(401)
      writeFileSync(path, tlsOnly)
      await waitFor('the refusal', () => lines().some((l) => l.includes('not applied')), 5000)
      expect(lines().find((l) => l.includes('not applied'))).toContain('"refusal":"weakens"')
      expect(await anonymous()).toBe(401)
    } finally {
      await server.close()
      rmSync(work, { recursive: true, force: true })
    }
  })
})

describe('web configuration reload over plain HTTP', () => {
  let work = ''
  let server: FastifyInstance | undefined
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cce-web-reload-'))
  })
  afterAll(async () => {
    await server?.close()
    rmSync(work, { recursive: true, force: true })
  })

  const basic = (user: string, password: string): string =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

  it('applies new users and headers to the next request, and keeps them when a change is invalid', async () => {
    const path = join(work, 'web.yml')
    const users = (user: string, password: string): string =>
      `basic_auth_users:\n  ${user}: ${bcrypt.hashSync(password, 4)}\n`
    writeFileSync(path, users('alice', 'first-password'))
    const started = await startReloading(path)
    server = started.app
    const { url, lines } = started
    const status = async (authorization: string): Promise<number> =>
      (await fetch(`${url}/metrics`, { headers: { authorization } })).status
    expect(await status(basic('alice', 'first-password'))).toBe(200)
    expect(await status(basic('bob', 'second-password'))).toBe(401)

    // The password is rotated, a header added: both apply without a restart.
    writeFileSync(
      path,
      `${users('bob', 'second-password')}http_server_config:\n  headers:\n    Strict-Transport-Security: max-age=60\n`
    )
    await waitFor('bob accepted', async () => (await status(basic('bob', 'second-password'))) === 200, 5000)
    expect(await status(basic('alice', 'first-password'))).toBe(401)
    const withHeader = await fetch(`${url}/healthz`, {
      headers: { authorization: basic('bob', 'second-password') }
    })
    expect(withHeader.headers.get('strict-transport-security')).toBe('max-age=60')

    // Invalid YAML, then a change that needs a restart: both refused, bob stays in.
    const refusals = (): string[] => lines().filter((line) => line.includes('not applied'))
    writeFileSync(path, 'basic_auth_users: [\n')
    await waitFor('the YAML refusal', () => refusals().length === 1, 5000)
    expect(refusals()[0]).toContain('not valid YAML')
    writeFileSync(path, 'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n')
    writeFileSync(join(work, 'cert.pem'), '-----BEGIN CERTIFICATE-----\n')
    writeFileSync(join(work, 'key.pem'), '-----BEGIN PRIVATE KEY-----\n')
    await waitFor('the TLS refusal', () => refusals().length === 2, 5000)
    expect(refusals()[1]).toContain('turning TLS on or off needs a restart')
    expect(await status(basic('bob', 'second-password'))).toBe(200)
    expect(lines().join('\n')).not.toMatch(/\$2[aby]\$/)
    await server.close()
    server = undefined
  })
})

describe('a reload that would remove protection', () => {
  let work = ''
  let server: FastifyInstance | undefined
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cce-web-weaken-'))
  })
  afterAll(async () => {
    await server?.close()
    rmSync(work, { recursive: true, force: true })
  })

  it('is refused for a truncated, an empty and an auth-less file: basic auth stays on, logged at warn and counted', async () => {
    const path = join(work, 'web.yml')
    const full = `basic_auth_users:\n  alice: ${bcrypt.hashSync('secret', 4)}\nunauthenticated_paths: [/healthz]\n`
    writeFileSync(path, full)
    const selfMetrics = testSelfMetrics()
    const started = await startReloading(path, selfMetrics)
    server = started.app
    const { url, lines } = started
    const anonymous = async (): Promise<number> => (await fetch(`${url}/metrics`)).status
    const authorized = async (): Promise<number> =>
      (
        await fetch(`${url}/metrics`, {
          headers: { authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` }
        })
      ).status
    const refusals = (): string[] => lines().filter((line) => line.includes('not applied'))
    const metric = async (name: string): Promise<string> =>
      (await selfMetrics.registry.getSingleMetricAsString(name))
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n')
    expect(await anonymous()).toBe(401)

    const cases: [string, string, string][] = [
      ['truncated after the first key', 'basic_auth_users:\n', 'empty'],
      ['empty', '', 'empty'],
      ['auth-less, headers only', 'http_server_config:\n  headers:\n    X-Frame-Options: deny\n', 'weakens'],
      ['auth-less, probes only', 'unauthenticated_paths: [/healthz, /metrics]\n', 'weakens']
    ]
    for (const [index, [name, content, reason]] of cases.entries()) {
      writeFileSync(path, content)
      await waitFor(`the refusal of the ${name} file`, () => refusals().length === index + 1, 5000)
      const line = refusals()[index] ?? ''
      expect(line, name).toMatch(/"level":40/)
      expect(line, name).toContain(`"refusal":"${reason}"`)
      expect(await anonymous(), name).toBe(401)
      expect(await authorized(), name).toBe(200)
      expect(await metric('cratedb_cloud_exporter_web_config_reload_refused')).toContain(
        'cratedb_cloud_exporter_web_config_reload_refused 1'
      )
    }
    expect(await metric('cratedb_cloud_exporter_web_config_reload_failures_total')).toContain(
      'cratedb_cloud_exporter_web_config_reload_failures_total{reason="weakens"} 2'
    )
    expect(await metric('cratedb_cloud_exporter_web_config_reload_failures_total')).toContain(
      'cratedb_cloud_exporter_web_config_reload_failures_total{reason="empty"} 2'
    )

    // The complete file is back (replaced atomically, as the docs ask): accepted, the gauge clears.
    writeFileSync(`${path}.tmp`, full)
    renameSync(`${path}.tmp`, path)
    await waitFor('the reload', () => lines().some((l) => l.includes('web configuration reloaded')), 5000)
    expect(await metric('cratedb_cloud_exporter_web_config_reload_refused')).toContain(
      'cratedb_cloud_exporter_web_config_reload_refused 0'
    )
    expect(await metric('cratedb_cloud_exporter_web_config_reloads_total')).toContain(
      'cratedb_cloud_exporter_web_config_reloads_total 5'
    )
    expect(await anonymous()).toBe(401)
    expect(lines().join('\n')).not.toMatch(/\$2[aby]\$/)
    await server.close()
    server = undefined
  })
})
