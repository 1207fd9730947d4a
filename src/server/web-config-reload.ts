import { X509Certificate } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { createSecureContext, type SecureContextOptions } from 'node:tls'
import type { Logger } from '../logger.js'
import type { SelfMetrics, WebConfigRefusal } from '../metrics/self-metrics.js'
import { loadWebConfig, secureContextOptions, type WebConfig } from './web-config.js'

/** How often the web configuration file and its TLS files are checked for a change; default 10 s. */
export const DEFAULT_WEB_CONFIG_RELOAD_INTERVAL_MS = 10_000

export interface WebConfigReloaderDeps {
  readonly initial: WebConfig
  /** The https server, whose secure context is replaced for the handshakes that follow; null without TLS. */
  readonly server: { setSecureContext(options: SecureContextOptions): void } | null
  /** Installs what applies per request: basic auth users, unauthenticated paths, headers. */
  readonly apply: (config: WebConfig) => void
  readonly logger: Logger
  /** Counts changes and refusals; absent in some tests. */
  readonly metrics?: Pick<
    SelfMetrics,
    'webConfigReloads' | 'webConfigReloadFailures' | 'webConfigReloadRefused'
  >
  readonly intervalMs?: number
  /** For tests; default fs.statSync / fs.readFileSync. */
  readonly stat?: (path: string) => { ino: number; size: number; mtimeMs: number }
  readonly readFile?: (path: string) => Buffer
}

export interface WebConfigReloader {
  /**
   * Compares the files with the last look and, when one changed, reads the configuration again and
   * installs it: 'unchanged', 'reloaded', or 'failed' (the previous configuration stays in use).
   */
  check(): 'unchanged' | 'reloaded' | 'failed'
  stop(): void
}

function filesOf(config: WebConfig): string[] {
  const tls = config.tls
  if (tls === null) return [config.path]
  return [config.path, tls.certFile, tls.keyFile, ...(tls.clientCaFile === null ? [] : [tls.clientCaFile])]
}

function describeCertificate(cert: Buffer): { subject: string; validTo: string } | null {
  try {
    const parsed = new X509Certificate(cert)
    return { subject: parsed.subject.replace(/\n/g, ', '), validTo: parsed.validTo }
  } catch {
    return null
  }
}

class Refusal extends Error {
  constructor(
    readonly reason: WebConfigRefusal,
    message: string
  ) {
    super(message)
  }
}

/** Stronger client certificate checks rank higher; VerifyClientCertIfGiven and RequireAny are not comparable. */
const CLIENT_AUTH_RANK = {
  NoClientCert: 0,
  RequestClientCert: 1,
  VerifyClientCertIfGiven: 2,
  RequireAnyClientCert: 2,
  RequireAndVerifyClientCert: 3
} as const

function isEmpty(config: WebConfig): boolean {
  return (
    config.tls === null &&
    config.basicAuthUsers.size === 0 &&
    config.unauthenticatedPaths.length === 0 &&
    Object.keys(config.headers).length === 0
  )
}

/**
 * Why `next` may not replace `current` in a running server, or null. A change that removes a protection
 * (basic auth, TLS, client certificate checks) is refused rather than applied: a truncated or half-written
 * file looks exactly like such a change, and failing open would serve /metrics to anyone. Removing a
 * protection on purpose takes a restart.
 */
function refusal(current: WebConfig, next: WebConfig): Refusal | null {
  if (isEmpty(next) && !isEmpty(current))
    return new Refusal('empty', 'the file is empty (or sets nothing); removing protection needs a restart')
  if (current.tls !== null && next.tls === null)
    return new Refusal(
      'weakens',
      'tls_server_config would be removed, switching TLS off; that needs a restart'
    )
  if (current.tls === null && next.tls !== null)
    return new Refusal('needs_restart', 'turning TLS on or off needs a restart')
  if (current.basicAuthUsers.size > 0 && next.basicAuthUsers.size === 0)
    return new Refusal(
      'weakens',
      'basic_auth_users would be empty, switching basic auth off; that needs a restart'
    )
  if (current.tls !== null && next.tls !== null && current.tls.clientAuthType !== next.tls.clientAuthType) {
    const weaker = CLIENT_AUTH_RANK[next.tls.clientAuthType] < CLIENT_AUTH_RANK[current.tls.clientAuthType]
    return weaker
      ? new Refusal(
          'weakens',
          `tls_server_config.client_auth_type would weaken from ${current.tls.clientAuthType} to ${next.tls.clientAuthType}; that needs a restart`
        )
      : new Refusal('needs_restart', 'changing tls_server_config.client_auth_type needs a restart')
  }
  return null
}

/**
 * Reads the web configuration (--web.config.file) again when it or one of its TLS files changes, as the
 * Prometheus exporter-toolkit does: a renewed certificate (cert-manager, a rotated Secret) is served from
 * the next TLS handshake, and new basic auth users, unauthenticated paths and headers apply to the next
 * request, without a restart. A configuration that does not load (invalid YAML, a key that does not
 * match its certificate, half-written PEM) or that only a restart could apply is reported once and the
 * previous one stays in use; the next change is tried again. So is a change that would remove a protection
 * (see refusal). Open connections keep the certificate of their handshake.
 */
export function startWebConfigReloader(deps: WebConfigReloaderDeps): WebConfigReloader {
  const { logger } = deps
  const stat = deps.stat ?? ((path: string) => statSync(path))
  const readFile = deps.readFile ?? ((path: string) => readFileSync(path))
  let current = deps.initial

  const signature = (config: WebConfig): string =>
    filesOf(config)
      .map((file) => {
        try {
          const { ino, size, mtimeMs } = stat(file)
          return `${file}:${ino}:${size}:${mtimeMs}`
        } catch (error) {
          return `${file}:missing:${(error as NodeJS.ErrnoException).code ?? 'error'}`
        }
      })
      .join('|')

  let seen = signature(current)
  deps.metrics?.webConfigReloadRefused.set(0)

  const check = (): 'unchanged' | 'reloaded' | 'failed' => {
    const now = signature(current)
    if (now === seen) return 'unchanged'
    seen = now
    deps.metrics?.webConfigReloads.inc()
    try {
      const next = loadWebConfig(current.path, readFile)
      const refused = refusal(current, next)
      if (refused !== null) throw refused
      if (next.tls !== null) {
        const options = secureContextOptions(next.tls)
        // Throws on unreadable PEM and on a key that does not belong to the certificate, before the
        // server is touched (setSecureContext assigns some of its fields before it builds the context).
        createSecureContext(options)
        deps.server?.setSecureContext(options)
      }
      deps.apply(next)
      current = next
      deps.metrics?.webConfigReloadRefused.set(0)
      // The files of the new configuration (its TLS paths may have changed) are the ones watched now.
      seen = signature(current)
      const certificate = next.tls === null ? null : describeCertificate(next.tls.cert)
      logger.info(
        {
          path: next.path,
          basicAuthUsers: next.basicAuthUsers.size,
          ...(certificate === null ? {} : { subject: certificate.subject, validTo: certificate.validTo })
        },
        'web configuration reloaded'
      )
      return 'reloaded'
    } catch (error) {
      // Messages name the setting or the TLS problem ("key values mismatch"), never a hash or key material.
      const reason = error instanceof Error ? error.message : String(error)
      const kind: WebConfigRefusal = error instanceof Refusal ? error.reason : 'invalid'
      deps.metrics?.webConfigReloadFailures.inc({ reason: kind })
      deps.metrics?.webConfigReloadRefused.set(1)
      logger.warn(
        { code: 'CCE_WEB_CONFIG', path: current.path, refusal: kind, reason },
        'web configuration changed but was not applied; the previous one stays in use'
      )
      return 'failed'
    }
  }

  const timer = setInterval(check, deps.intervalMs ?? DEFAULT_WEB_CONFIG_RELOAD_INTERVAL_MS)
  timer.unref()
  return { check, stop: () => clearInterval(timer) }
}
