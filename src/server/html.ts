/** Small helpers for the landing page: escaping and human-readable times. */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
}

/** Escapes text for element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char)
}

/** Tagged template: every interpolated value is escaped unless it is a SafeHtml. */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html
  }
}

export type HtmlValue = string | number | SafeHtml | null | undefined | readonly HtmlValue[]

function render(value: HtmlValue): string {
  if (value === null || value === undefined) return ''
  if (value instanceof SafeHtml) return value.html
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('')
  return escapeHtml(String(value))
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '')
  })
  return new SafeHtml(out)
}

/** "2024-05-01 12:00:00 UTC" */
export function formatAbsolute(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')
}

function span(seconds: number): string {
  if (seconds < 90) return `${seconds} s`
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`
  return `${Math.round(seconds / 86400)} d`
}

/** "12 s ago", "in 3 min", "now". */
export function formatRelative(ms: number, now: number): string {
  const seconds = Math.round((ms - now) / 1000)
  if (seconds === 0) return 'now'
  return seconds < 0 ? `${span(-seconds)} ago` : `in ${span(seconds)}`
}

/** A <time> with the relative time and, below it, the absolute one. */
export function timeCell(ms: number | null, now: number): SafeHtml {
  if (ms === null) return html`<span class="muted">never</span>`
  const iso = new Date(ms).toISOString()
  return html`<time datetime="${iso}">${formatRelative(ms, now)}</time><br /><small
      >${formatAbsolute(ms)}</small
    >`
}

export function percent(ratio: number | null): string {
  return ratio === null || !Number.isFinite(ratio) ? '–' : `${(ratio * 100).toFixed(1)} %`
}
