import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

/**
 * Writes `key.pem` and `cert.pem` (EC P-256, valid one day) into `dir`: a self-signed certificate made
 * for this run, so no private key is committed. The web configs of the tests name these two files.
 */
export function writeSelfSignedCertificate(
  openssl: string,
  dir: string,
  subjectAltName = 'IP:127.0.0.1'
): void {
  const made = spawnSync(
    openssl,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=cratedb-cloud-exporter test',
      '-addext',
      `subjectAltName=${subjectAltName}`
    ],
    { encoding: 'utf8' }
  )
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`)
}
