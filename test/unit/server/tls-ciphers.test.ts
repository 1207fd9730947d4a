import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { externalTool } from '../../helpers/environment.js'
import { writeSelfSignedCertificate } from '../../helpers/tls.js'
import { listenWithWebConfig } from './fake-view.js'

/**
 * Which TLS 1.2 cipher suites a client can get, asked with `openssl s_client -cipher` on loopback: by
 * default only ECDHE with AEAD; with cipher_suites, only those named. An EC certificate (ECDSA suites)
 * and an RSA one (RSA key exchange, without forward secrecy) are made for this run.
 */
const openssl = externalTool('openssl')
let dir = ''

function makeRsaCertificate(target: string): Promise<void> {
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=rsa test']
  return run(openssl!, [...args, '-keyout', join(target, 'key.pem'), '-out', join(target, 'cert.pem')])
}

function run(tool: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, (error) => (error === null ? resolve() : reject(new Error(error.message))))
  })
}

/** The cipher negotiated with TLS 1.2 when the client offers only `cipher`, or null when refused. */
function negotiated(port: number, cipher: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = execFile(
      openssl!,
      ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-cipher', cipher],
      { timeout: 10_000 },
      (_error, stdout) => {
        const match = /Cipher is (\S+)/.exec(stdout)
        resolve(match?.[1] === undefined || match[1] === '(NONE)' ? null : match[1])
      }
    )
    child.stdin?.end()
  })
}

function start(certDir: string, extra = ''): Promise<{ app: FastifyInstance; port: number }> {
  return listenWithWebConfig(
    certDir,
    `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n${extra}`
  )
}

describe.skipIf(openssl === undefined)('TLS 1.2 cipher suites', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cce-ciphers-'))
    mkdirSync(join(dir, 'ec'))
    mkdirSync(join(dir, 'rsa'))
    writeSelfSignedCertificate(openssl!, join(dir, 'ec'))
    await makeRsaCertificate(join(dir, 'rsa'))
  })
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true })
  })

  it('are ECDHE with AEAD only by default: CBC, SHA-1 and RSA key exchange are refused', async () => {
    const ec = await start(join(dir, 'ec'))
    try {
      expect(await negotiated(ec.port, 'ECDHE-ECDSA-AES128-GCM-SHA256')).toBe('ECDHE-ECDSA-AES128-GCM-SHA256')
      expect(await negotiated(ec.port, 'ECDHE-ECDSA-CHACHA20-POLY1305')).toBe('ECDHE-ECDSA-CHACHA20-POLY1305')
      expect(await negotiated(ec.port, 'ECDHE-ECDSA-AES128-SHA')).toBeNull()
      expect(await negotiated(ec.port, 'ECDHE-ECDSA-AES256-SHA384')).toBeNull()
      expect(await negotiated(ec.port, 'ECDHE-ECDSA-AES128-CCM8')).toBeNull()
    } finally {
      await ec.app.close()
    }
    const rsa = await start(join(dir, 'rsa'))
    try {
      expect(await negotiated(rsa.port, 'ECDHE-RSA-AES256-GCM-SHA384')).toBe('ECDHE-RSA-AES256-GCM-SHA384')
      expect(await negotiated(rsa.port, 'AES128-GCM-SHA256')).toBeNull()
      expect(await negotiated(rsa.port, 'AES256-SHA')).toBeNull()
      expect(await negotiated(rsa.port, 'ECDHE-RSA-AES128-SHA')).toBeNull()
      expect(await negotiated(rsa.port, 'ARIA128-GCM-SHA256')).toBeNull()
    } finally {
      await rsa.app.close()
    }
  })

  it('are the ones cipher_suites names, by their exporter-toolkit names', async () => {
    const ec = await start(join(dir, 'ec'), '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n')
    try {
      expect(await negotiated(ec.port, 'ECDHE-ECDSA-AES256-GCM-SHA384')).toBe('ECDHE-ECDSA-AES256-GCM-SHA384')
      expect(await negotiated(ec.port, 'ECDHE-ECDSA-AES128-GCM-SHA256')).toBeNull()
    } finally {
      await ec.app.close()
    }
  })
})
