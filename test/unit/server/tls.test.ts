import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import bcrypt from 'bcryptjs'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { externalTool } from '../../helpers/environment.js'
import { writeSelfSignedCertificate } from '../../helpers/tls.js'
import { listenWithWebConfig } from './fake-view.js'

/**
 * A real TLS server on 127.0.0.1 with a self-signed certificate made for this run (no key is committed):
 * the certificate doubles as the client CA and the client certificate in the mutual TLS case.
 */
const openssl = externalTool('openssl')
let dir = ''

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

async function start(webConfigYaml: string): Promise<{ app: FastifyInstance; url: string }> {
  const { app, port } = await listenWithWebConfig(dir, webConfigYaml)
  return { app, url: `https://127.0.0.1:${port}` }
}

function client(options: { trust?: boolean; clientCert?: boolean } = {}): Agent {
  return new Agent({
    connect: {
      ...(options.trust === false ? {} : { ca: readFileSync(join(dir, 'cert.pem')) }),
      ...(options.clientCert === true
        ? { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) }
        : {})
    }
  })
}

/** A client with the certificate gets /healthz; `checkWithout` then tries a client without one. Closes all. */
async function withAndWithoutCertificate(
  app: FastifyInstance,
  url: string,
  checkWithout: (withoutCert: Agent) => Promise<void>
): Promise<void> {
  const withCert = client({ clientCert: true })
  const withoutCert = client()
  try {
    const ok = await request(`${url}/healthz`, { dispatcher: withCert })
    expect(ok.statusCode).toBe(200)
    await ok.body.dump()
    await checkWithout(withoutCert)
  } finally {
    await Promise.all([withCert.close(), withoutCert.close()])
    await app.close()
  }
}

describe.skipIf(openssl === undefined)('TLS over loopback', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cce-tls-'))
    writeSelfSignedCertificate(openssl!, dir, 'IP:127.0.0.1,DNS:localhost')
  })
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  it('serves HTTPS with basic auth: right password 200, wrong 401', async () => {
    const hash = bcrypt.hashSync('s3cret', 4)
    const { app, url } = await start(
      `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  prometheus: "${hash}"\n`
    )
    const dispatcher = client()
    try {
      const right = await request(`${url}/metrics`, {
        dispatcher,
        headers: { authorization: basic('prometheus', 's3cret') }
      })
      expect(right.statusCode).toBe(200)
      expect(await right.body.text()).toBe('up_total 1\n')
      const wrong = await request(`${url}/metrics`, {
        dispatcher,
        headers: { authorization: basic('prometheus', 'guess') }
      })
      expect(wrong.statusCode).toBe(401)
      expect(wrong.headers['www-authenticate']).toBe('Basic realm="cratedb-cloud-exporter", charset="UTF-8"')
      await wrong.body.dump()
      const untrusting = client({ trust: false })
      await expect(request(`${url}/metrics`, { dispatcher: untrusting })).rejects.toThrow(
        /self.signed|certificate/i
      )
      await untrusting.close()
      await expect(request(url.replace('https:', 'http:') + '/metrics')).rejects.toThrow()
    } finally {
      await dispatcher.close()
      await app.close()
    }
  })

  it('requires and verifies client certificates when configured', async () => {
    const { app, url } = await start(
      [
        'tls_server_config:',
        '  cert_file: cert.pem',
        '  key_file: key.pem',
        '  client_ca_file: cert.pem',
        '  client_auth_type: RequireAndVerifyClientCert'
      ].join('\n')
    )
    await withAndWithoutCertificate(app, url, async (withoutCert) => {
      await expect(request(`${url}/healthz`, { dispatcher: withoutCert })).rejects.toThrow()
    })
  })

  it('answers 403 without a certificate under RequireAnyClientCert', async () => {
    const { app, url } = await start(
      'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n  client_auth_type: RequireAnyClientCert\n'
    )
    await withAndWithoutCertificate(app, url, async (withoutCert) => {
      const refused = await request(`${url}/healthz`, { dispatcher: withoutCert })
      expect(refused.statusCode).toBe(403)
      expect(await refused.body.json()).toMatchObject({ message: 'a client certificate is required' })
    })
  })
})
