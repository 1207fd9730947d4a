import { readFileSync, statSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { createSecureContext, type SecureContextOptions } from 'node:tls'
import type { Logger } from '../logger.js'
import { TLS_VERSIONS, type TlsServerConfig } from './web-config.js'

/** How often the certificate, key and client CA files are checked for a change; default 10 s. */
export const DEFAULT_TLS_RELOAD_INTERVAL_MS = 10_000

export interface TlsReloaderDeps {
  /** The https server; its secure context is replaced for the handshakes that follow. */
  readonly server: { setSecureContext(options: SecureContextOptions): void }
  readonly tls: TlsServerConfig
  readonly logger: Logger
  readonly intervalMs?: number
  /** For tests; default fs.statSync / fs.readFileSync. */
  readonly stat?: (path: string) => { ino: number; size: number; mtimeMs: number }
  readonly readFile?: (path: string) => Buffer
}

export interface TlsReloader {
  /**
   * Compares the files with the last look and, when one changed, reads them all and installs them.
   * 'unchanged', 'reloaded', or 'failed' (the previous certificate stays in use).
   */
  check(): 'unchanged' | 'reloaded' | 'failed'
  stop(): void
}

function describeCertificate(cert: Buffer): { subject: string; validTo: string } | null {
  try {
    const parsed = new X509Certificate(cert)
    return { subject: parsed.subject.replace(/\n/g, ', '), validTo: parsed.validTo }
  } catch {
    return null
  }
}

/**
 * Re-reads the TLS files of the web configuration when they change, so that a renewed certificate
 * (cert-manager, a rotated Secret) is served without a restart. A set of files that does not load (a
 * key that does not match its certificate, half-written PEM) is reported once and the previous
 * certificate stays in use; the next change is tried again. Connections already open keep the
 * certificate of their handshake.
 */
export function startTlsReloader(deps: TlsReloaderDeps): TlsReloader {
  const { tls, logger } = deps
  const stat = deps.stat ?? ((path: string) => statSync(path))
  const readFile = deps.readFile ?? ((path: string) => readFileSync(path))
  const files = [tls.certFile, tls.keyFile, ...(tls.clientCaFile === null ? [] : [tls.clientCaFile])]

  const signature = (): string =>
    files
      .map((file) => {
        try {
          const { ino, size, mtimeMs } = stat(file)
          return `${ino}:${size}:${mtimeMs}`
        } catch (error) {
          return `missing:${(error as NodeJS.ErrnoException).code ?? 'error'}`
        }
      })
      .join('|')

  let seen = signature()

  const check = (): 'unchanged' | 'reloaded' | 'failed' => {
    const now = signature()
    if (now === seen) return 'unchanged'
    seen = now
    try {
      const options: SecureContextOptions = {
        cert: readFile(tls.certFile),
        key: readFile(tls.keyFile),
        minVersion: TLS_VERSIONS[tls.minVersion],
        maxVersion: TLS_VERSIONS[tls.maxVersion]
      }
      if (tls.clientCaFile !== null) options.ca = readFile(tls.clientCaFile)
      // Throws on unreadable PEM and on a key that does not belong to the certificate.
      createSecureContext(options)
      deps.server.setSecureContext(options)
      const certificate = describeCertificate(options.cert as Buffer)
      logger.info(
        { certFile: tls.certFile, subject: certificate?.subject, validTo: certificate?.validTo },
        'TLS certificate reloaded'
      )
      return 'reloaded'
    } catch (error) {
      // The message of a TLS error names the problem (e.g. "key values mismatch"), never key material.
      const reason = error instanceof Error ? error.message : String(error)
      logger.error(
        { certFile: tls.certFile, keyFile: tls.keyFile, reason },
        'TLS files changed but do not load; the previous certificate stays in use'
      )
      return 'failed'
    }
  }

  const timer = setInterval(check, deps.intervalMs ?? DEFAULT_TLS_RELOAD_INTERVAL_MS)
  timer.unref()
  return { check, stop: () => clearInterval(timer) }
}
