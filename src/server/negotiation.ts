/** Content negotiation for the telemetry path: which format, and whether to gzip. */

export type ExpositionFormat = 'text' | 'openmetrics'

interface MediaRange {
  readonly type: string
  readonly q: number
}

function qualityOf(parameters: readonly string[]): number {
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=').map((part) => part.trim())
    if (name?.toLowerCase() === 'q' && value !== undefined) {
      const q = Number(value)
      return Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0
    }
  }
  return 1
}

function parseList(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return []
  return header.split(',').map((element) => {
    const [type = '', ...parameters] = element.split(';')
    return { type: type.trim().toLowerCase(), q: qualityOf(parameters) }
  })
}

function bestQuality(ranges: readonly MediaRange[], matches: (type: string) => boolean): number {
  let best = -1
  for (const range of ranges) if (matches(range.type) && range.q > best) best = range.q
  return best
}

/**
 * OpenMetrics when the client asks for application/openmetrics-text at least as much as for the text
 * format (Prometheus sends both, preferring OpenMetrics when its scrape protocols allow it); the
 * text format 0.0.4 otherwise, including for no Accept header and for wildcards.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  const ranges = parseList(accept)
  const openMetrics = bestQuality(ranges, (type) => type === 'application/openmetrics-text')
  if (openMetrics <= 0) return 'text'
  const text = bestQuality(ranges, (type) => type === 'text/plain' || type === 'text/*' || type === '*/*')
  return openMetrics >= text ? 'openmetrics' : 'text'
}

/** Whether Accept-Encoding allows gzip (explicitly, or through "*" when gzip is not refused). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  const codings = parseList(acceptEncoding)
  const gzip = bestQuality(codings, (coding) => coding === 'gzip' || coding === 'x-gzip')
  if (gzip >= 0) return gzip > 0
  return bestQuality(codings, (coding) => coding === '*') > 0
}
