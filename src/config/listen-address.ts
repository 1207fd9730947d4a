import { UsageError } from './errors.js'

export interface ListenAddress {
  readonly host: string
  readonly port: number
}

/**
 * `host:port` as Prometheus exporters take it: `:9863` listens on every IPv4 interface, `[::]:9863` on
 * every IPv6 one (dual stack where the system allows), `127.0.0.1:0` on an ephemeral loopback port.
 * An empty host means `emptyHost`: every interface for the exporter, loopback for the simulator.
 */
export function parseListenAddress(text: string, flag: string, emptyHost = '0.0.0.0'): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim())
  const port = match === null ? Number.NaN : Number(match[3])
  if (match === null || port > 65535) {
    throw new UsageError(
      `${flag}: expected HOST:PORT (e.g. ":9863" or "127.0.0.1:9863"), got ${JSON.stringify(text)}`
    )
  }
  const host = match[1] ?? (match[2] === '' || match[2] === undefined ? emptyHost : match[2])
  return { host, port }
}

/** A URL a person can open for a listening address (0.0.0.0 and :: become localhost). */
export function displayUrl(host: string, port: number, tls: boolean): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host
  return `${tls ? 'https' : 'http'}://${shown}:${port}`
}
