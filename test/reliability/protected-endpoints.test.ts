import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import bcrypt from 'bcryptjs'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { externalTool } from '../helpers/environment.js'
import { waitFor } from '../helpers/exporter.js'
import { firstCredential, startTestSimulator, type RunningSimulator } from '../helpers/simulator.js'
import { writeSelfSignedCertificate } from '../helpers/tls.js'
import { spawnExporter, type ExporterProcess } from './child.js'
import { readExposition } from './support.js'

/**
 * The built exporter with --web.config.file (TLS and basic auth with bcrypt hashes), reached with a real
 * TLS client: wrong passwords are refused, the right one gets the metrics, and /healthz stays open
 * through `unauthenticated_paths` while /readyz and /status do not.
 */

const openssl = externalTool('openssl')
const PASSWORD = 'correct horse battery staple'

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

describe.skipIf(openssl === undefined)('protected endpoints over TLS with basic auth', () => {
  let dir = ''
  let sim: RunningSimulator
  let exporter: ExporterProcess
  let trusting: Agent

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cce-protected-'))
    writeSelfSignedCertificate(openssl!, dir)
    writeFileSync(
      join(dir, 'web.yml'),
      [
        'tls_server_config:',
        '  cert_file: cert.pem',
        '  key_file: key.pem',
        'basic_auth_users:',
        `  prometheus: "${bcrypt.hashSync(PASSWORD, 8)}"`,
        `  other: "${bcrypt.hashSync('another password', 8)}"`,
        'unauthenticated_paths: [/healthz]',
        ''
      ].join('\n')
    )
    sim = await startTestSimulator({
      scenario: { kind: 'generated', organizations: 1, projectsPerOrganization: 1, clusters: 2 }
    })
    const { key, secret } = firstCredential(sim)
    exporter = await spawnExporter(
      [
        `--web.config.file=${join(dir, 'web.yml')}`,
        `--api.url=${sim.url}`,
        '--collector.inventory.interval=1s'
      ],
      {
        CRATEDB_CLOUD_API_KEY: key,
        CRATEDB_CLOUD_API_SECRET: secret,
        CRATEDB_CLOUD_EXPORTER_LOG_FORMAT: 'json'
      }
    )
    trusting = new Agent({ connect: { ca: readFileSync(join(dir, 'cert.pem')) } })
  })

  afterAll(async () => {
    await trusting?.close()
    if (exporter !== undefined) expect((await exporter.stop()).code).toBe(0)
    await sim?.close()
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  const get = async (path: string, authorization?: string) => {
    const response = await request(`${exporter.url}${path}`, {
      dispatcher: trusting,
      ...(authorization === undefined ? {} : { headers: { authorization } })
    })
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() }
  }

  it('serves https only', async () => {
    expect(exporter.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    await expect(request(exporter.url.replace('https:', 'http:') + '/healthz')).rejects.toThrow()
    const untrusting = new Agent()
    await expect(request(`${exporter.url}/healthz`, { dispatcher: untrusting })).rejects.toThrow(
      /self.signed|certificate/i
    )
    await untrusting.close()
  })

  it('refuses missing and wrong credentials on /metrics, /readyz, /status and /', async () => {
    for (const path of ['/metrics', '/readyz', '/status', '/']) {
      for (const authorization of [
        undefined,
        basic('prometheus', 'wrong'),
        basic('prometheus', `${PASSWORD} `),
        basic('nobody', PASSWORD),
        basic('other', PASSWORD),
        'Bearer token'
      ]) {
        const response = await get(path, authorization)
        // after 10 failures from this address the budget is spent: 429 without a bcrypt check
        expect([401, 429], `${path} with ${authorization ?? 'nothing'}`).toContain(response.status)
        if (response.status === 401) expect(response.headers['www-authenticate']).toMatch(/^Basic realm=/)
        else expect(response.headers['retry-after']).toMatch(/^\d+$/)
        expect(response.body).not.toContain('cratedb_cloud_')
      }
    }
  })

  it('serves the metrics to the right password', async () => {
    await waitFor('cluster data', async () => {
      const response = await get('/metrics', basic('prometheus', PASSWORD))
      return (
        response.status === 200 &&
        readExposition(response.body).series('cratedb_cloud_cluster_info').length === 2
      )
    })
    const other = await get('/status', basic('other', 'another password'))
    expect(other.status).toBe(200)
    expect(JSON.parse(other.body)).toMatchObject({ version: expect.any(String), apiUrl: sim.url })
  })

  it('leaves /healthz open through unauthenticated_paths', async () => {
    const response = await get('/healthz')
    expect(response.status).toBe(200)
    expect(response.body).toBe('ok\n')
    expect((await get('/healthz/')).status).not.toBe(200)
  })
})
