import {
  BACKSLASH,
  BLANK,
  CHAR_CLASS,
  CLOSE_BRACE,
  COMMA,
  CR,
  EQUALS,
  HASH,
  LABEL_CHAR,
  LABEL_START,
  LOWER_N,
  METRIC_CHAR,
  METRIC_START,
  OPEN_BRACE,
  QUOTE,
  describeByte,
  quoteSlice
} from './chars.js'
import { parseTimestamp, parseValue } from './number.js'

export const LINE_SAMPLE = 0
export const LINE_BLANK = 1
export const LINE_COMMENT = 2
export const LINE_INVALID = 3
export type LineKind = typeof LINE_SAMPLE | typeof LINE_BLANK | typeof LINE_COMMENT | typeof LINE_INVALID

/** Slots per label in `LineScanner.labels`: name start, name end, value start, value end. */
export const LABEL_SLOTS = 4

/**
 * Reads one line (without its newline) in a single forward pass and records where its parts are,
 * without making any string: callers decode only the parts they need. One instance is reused for
 * every line, so the fields describe the line last scanned.
 */
export class LineScanner {
  nameStart = 0
  nameEnd = 0
  labelCount = 0
  /** LABEL_SLOTS offsets per label, into the buffer last scanned. */
  labels = new Int32Array(16 * LABEL_SLOTS)
  /** 1 where a label value holds escape sequences (decode with unescapeLabelValue). */
  escaped = new Uint8Array(16)
  value = 0
  /** null when the sample has none. */
  timestampMs: number | null = null
  /** Where the comment text starts (after '#') for LINE_COMMENT; end of line in `end`. */
  commentStart = 0
  end = 0
  /** Why the line is invalid, for LINE_INVALID. */
  error = ''

  scan(buf: Buffer, start: number, lineEnd: number): LineKind {
    let end = lineEnd
    if (end > start && buf[end - 1] === CR) end--
    this.end = end
    this.labelCount = 0
    this.timestampMs = null
    let i = start
    while (i < end && (CHAR_CLASS[buf[i]!]! & BLANK) !== 0) i++
    if (i === end) return LINE_BLANK
    const first = buf[i]!
    if (first === HASH) {
      this.commentStart = i + 1
      return LINE_COMMENT
    }
    if ((CHAR_CLASS[first]! & METRIC_START) === 0)
      return this.fail(`expected a metric name, found ${describeByte(first)}`)
    this.nameStart = i
    i++
    while (i < end && (CHAR_CLASS[buf[i]!]! & METRIC_CHAR) !== 0) i++
    this.nameEnd = i
    const afterName = i
    while (i < end && (CHAR_CLASS[buf[i]!]! & BLANK) !== 0) i++
    if (i < end && buf[i] === OPEN_BRACE) {
      i = this.scanLabels(buf, i + 1, end)
      if (i < 0) return LINE_INVALID
    } else if (i === afterName && i < end) {
      return this.fail(
        `unexpected ${describeByte(buf[i])} in metric name ${quoteSlice(buf, this.nameStart, i)}`
      )
    }
    while (i < end && (CHAR_CLASS[buf[i]!]! & BLANK) !== 0) i++
    if (i === end) return this.fail(`missing value after ${quoteSlice(buf, this.nameStart, this.nameEnd)}`)
    const valueStart = i
    while (i < end && (CHAR_CLASS[buf[i]!]! & BLANK) === 0) i++
    const value = parseValue(buf, valueStart, i)
    if (value === undefined) return this.fail(`invalid value ${quoteSlice(buf, valueStart, i)}`)
    this.value = value
    while (i < end && (CHAR_CLASS[buf[i]!]! & BLANK) !== 0) i++
    if (i === end) return LINE_SAMPLE
    const timestampStart = i
    while (i < end && (CHAR_CLASS[buf[i]!]! & BLANK) === 0) i++
    const timestamp = parseTimestamp(buf, timestampStart, i)
    if (timestamp === undefined) return this.fail(`invalid timestamp ${quoteSlice(buf, timestampStart, i)}`)
    this.timestampMs = timestamp
    while (i < end && (CHAR_CLASS[buf[i]!]! & BLANK) !== 0) i++
    if (i < end) return this.fail(`unexpected text after the timestamp: ${quoteSlice(buf, i, end)}`)
    return LINE_SAMPLE
  }

  /** Scans `name="value", ...}` from just after '{'; returns the offset after '}', or -1. */
  private scanLabels(buf: Buffer, from: number, end: number): number {
    let i = from
    for (;;) {
      while (i < end && (CHAR_CLASS[buf[i]!]! & BLANK) !== 0) i++
      if (i === end) return this.failLabels(`missing '}' at the end of the label set`)
      let c = buf[i]!
      if (c === CLOSE_BRACE) return i + 1
      if ((CHAR_CLASS[c]! & LABEL_START) === 0) {
        return this.failLabels(`expected a label name or '}', found ${describeByte(c)}`)
      }
      const nameStart = i
      i++
      while (i < end && (CHAR_CLASS[buf[i]!]! & LABEL_CHAR) !== 0) i++
      const nameEnd = i
      while (i < end && (CHAR_CLASS[buf[i]!]! & BLANK) !== 0) i++
      if (i === end || buf[i] !== EQUALS) {
        return this.failLabels(`expected '=' after label name ${quoteSlice(buf, nameStart, nameEnd)}`)
      }
      i++
      while (i < end && (CHAR_CLASS[buf[i]!]! & BLANK) !== 0) i++
      if (i === end || buf[i] !== QUOTE) {
        return this.failLabels(
          `expected '"' to open the value of label ${quoteSlice(buf, nameStart, nameEnd)}`
        )
      }
      i++
      const valueStart = i
      let escaped = 0
      for (;;) {
        if (i >= end) {
          return this.failLabels(`unterminated value of label ${quoteSlice(buf, nameStart, nameEnd)}`)
        }
        c = buf[i]!
        if (c === QUOTE) break
        if (c === BACKSLASH) {
          const next = buf[i + 1]
          if (i + 1 >= end || (next !== BACKSLASH && next !== QUOTE && next !== LOWER_N)) {
            const shown = i + 1 >= end ? 'end of line' : describeByte(next)
            return this.failLabels(
              `invalid escape '\\' followed by ${shown} in the value of label ${quoteSlice(buf, nameStart, nameEnd)}`
            )
          }
          escaped = 1
          i++
        }
        i++
      }
      this.pushLabel(nameStart, nameEnd, valueStart, i, escaped)
      i++
      while (i < end && (CHAR_CLASS[buf[i]!]! & BLANK) !== 0) i++
      c = buf[i]!
      if (i < end && c === COMMA) {
        i++
      } else if (i < end && c === CLOSE_BRACE) {
        return i + 1
      } else {
        return this.failLabels(
          `expected ',' or '}' after the value of label ${quoteSlice(buf, nameStart, nameEnd)}, found ${describeByte(i < end ? c : undefined)}`
        )
      }
    }
  }

  private pushLabel(
    nameStart: number,
    nameEnd: number,
    valueStart: number,
    valueEnd: number,
    escaped: number
  ): void {
    const index = this.labelCount
    if (index === this.escaped.length) this.grow()
    const slot = index * LABEL_SLOTS
    const labels = this.labels
    labels[slot] = nameStart
    labels[slot + 1] = nameEnd
    labels[slot + 2] = valueStart
    labels[slot + 3] = valueEnd
    this.escaped[index] = escaped
    this.labelCount = index + 1
  }

  private grow(): void {
    const labels = new Int32Array(this.labels.length * 2)
    labels.set(this.labels)
    this.labels = labels
    const escaped = new Uint8Array(this.escaped.length * 2)
    escaped.set(this.escaped)
    this.escaped = escaped
  }

  private fail(message: string): typeof LINE_INVALID {
    this.error = message
    return LINE_INVALID
  }

  private failLabels(message: string): -1 {
    this.error = message
    return -1
  }
}

/** The text of label value `index` of the line last scanned, escapes resolved. */
export function labelValue(scanner: LineScanner, buf: Buffer, index: number): string {
  const slot = index * LABEL_SLOTS
  const raw = buf.toString('utf8', scanner.labels[slot + 2], scanner.labels[slot + 3])
  return scanner.escaped[index] === 1 ? unescapeLabelValue(raw) : raw
}

/** The name of label `index` of the line last scanned (label names are ASCII). */
export function labelName(scanner: LineScanner, buf: Buffer, index: number): string {
  const slot = index * LABEL_SLOTS
  return buf.toString('latin1', scanner.labels[slot], scanner.labels[slot + 1])
}

/** Resolves \\, \" and \n; the scanner has already rejected any other escape. */
export function unescapeLabelValue(raw: string): string {
  let out = ''
  let from = 0
  for (let i = raw.indexOf('\\'); i !== -1; i = raw.indexOf('\\', from)) {
    const next = raw[i + 1]
    out += raw.slice(from, i) + (next === 'n' ? '\n' : (next ?? ''))
    from = i + 2
  }
  return out + raw.slice(from)
}
