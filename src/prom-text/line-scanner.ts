import {
  BACKSLASH,
  SPACE,
  TAB,
  CHAR_CLASS,
  CLOSE_BRACE,
  COMMA,
  CR,
  EQUALS,
  HASH,
  LABEL_START,
  LOWER_N,
  METRIC_START,
  OPEN_BRACE,
  QUOTE,
  describeByte,
  quoteSlice
} from './chars.js'
import { readTimestamp, readValue } from './number.js'

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
  /** Bytes passed over by native searches, which may run past a line's end: counted to prove linear time. */
  searchedBytes = 0

  scan(buf: Buffer, start: number, lineEnd: number): LineKind {
    let end = lineEnd
    if (end > start && buf[end - 1] === CR) end--
    this.end = end
    this.labelCount = 0
    this.timestampMs = null
    let i = start
    let c = 0
    while (i < end && ((c = buf[i]!) === SPACE || c === TAB)) i++
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
    while (i < end && isMetricChar(buf[i]!)) i++
    this.nameEnd = i
    const afterName = i
    while (i < end && ((c = buf[i]!) === SPACE || c === TAB)) i++
    if (i < end && buf[i] === OPEN_BRACE) {
      i = this.scanLabels(buf, i + 1, end)
      if (i < 0) return LINE_INVALID
    } else if (i === afterName && i < end) {
      return this.fail(
        `unexpected ${describeByte(buf[i])} in metric name ${quoteSlice(buf, this.nameStart, i)}`
      )
    }
    return this.scanSample(buf, i, end)
  }

  /**
   * Reads the value and optional timestamp from `from` (after the name and labels) to `end` (a CR already
   * taken off); the name must be recorded in `nameStart`/`nameEnd` for the error messages.
   */
  scanSample(buf: Buffer, from: number, end: number): typeof LINE_SAMPLE | typeof LINE_INVALID {
    this.timestampMs = null
    let i = from
    let c = 0
    while (i < end && ((c = buf[i]!) === SPACE || c === TAB)) i++
    if (i === end) return this.fail(`missing value after ${quoteSlice(buf, this.nameStart, this.nameEnd)}`)
    const valueStart = i
    i = readValue(buf, valueStart, end, this)
    if (i < 0)
      return this.fail(`invalid value ${quoteSlice(buf, valueStart, tokenEnd(buf, valueStart, end))}`)
    while (i < end && ((c = buf[i]!) === SPACE || c === TAB)) i++
    if (i === end) return LINE_SAMPLE
    const timestampStart = i
    i = readTimestamp(buf, timestampStart, end, this)
    if (i < 0) {
      return this.fail(
        `invalid timestamp ${quoteSlice(buf, timestampStart, tokenEnd(buf, timestampStart, end))}`
      )
    }
    while (i < end && ((c = buf[i]!) === SPACE || c === TAB)) i++
    if (i < end) return this.fail(`unexpected text after the timestamp: ${quoteSlice(buf, i, end)}`)
    return LINE_SAMPLE
  }

  /** Scans `name="value", ...}` from just after '{'; returns the offset after '}', or -1. */
  private scanLabels(buf: Buffer, from: number, end: number): number {
    // Without a backslash in the line a value ends at the next quote, found natively.
    const plain = !this.hasBackslash(buf, from, end)
    let i = from
    let c = 0
    for (;;) {
      while (i < end && ((c = buf[i]!) === SPACE || c === TAB)) i++
      if (i === end) return this.failLabels(`missing '}' at the end of the label set`)
      if (c === CLOSE_BRACE) return i + 1
      if ((CHAR_CLASS[c]! & LABEL_START) === 0) {
        return this.failLabels(`expected a label name or '}', found ${describeByte(c)}`)
      }
      const nameStart = i
      i++
      while (i < end && isLabelChar(buf[i]!)) i++
      const nameEnd = i
      while (i < end && ((c = buf[i]!) === SPACE || c === TAB)) i++
      if (i === end || c !== EQUALS) {
        return this.failLabels(`expected '=' after label name ${quoteSlice(buf, nameStart, nameEnd)}`)
      }
      i++
      while (i < end && ((c = buf[i]!) === SPACE || c === TAB)) i++
      if (i === end || c !== QUOTE) {
        return this.failLabels(
          `expected '"' to open the value of label ${quoteSlice(buf, nameStart, nameEnd)}`
        )
      }
      const valueStart = ++i
      let escaped = 0
      if (plain) {
        const quote = buf.indexOf(QUOTE, i)
        this.searchedBytes += (quote === -1 ? buf.length : quote) - i
        i = quote
        if (i === -1 || i >= end) {
          return this.failLabels(`unterminated value of label ${quoteSlice(buf, nameStart, nameEnd)}`)
        }
      } else {
        i = this.scanEscapedValue(buf, i, end, nameStart, nameEnd)
        if (i < 0) return -1
        escaped = this.lastValueEscaped
      }
      this.pushLabel(nameStart, nameEnd, valueStart, i, escaped)
      i++
      while (i < end && ((c = buf[i]!) === SPACE || c === TAB)) i++
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

  private lastValueEscaped = 0

  /** Scans a label value that may hold escapes; returns the offset of its closing quote, or -1. */
  private scanEscapedValue(
    buf: Buffer,
    from: number,
    end: number,
    nameStart: number,
    nameEnd: number
  ): number {
    let i = from
    this.lastValueEscaped = 0
    for (;;) {
      if (i >= end)
        return this.failLabels(`unterminated value of label ${quoteSlice(buf, nameStart, nameEnd)}`)
      const c = buf[i]!
      if (c === QUOTE) return i
      if (c === BACKSLASH) {
        const next = i + 1 < end ? buf[i + 1] : undefined
        if (next !== BACKSLASH && next !== QUOTE && next !== LOWER_N) {
          return this.failLabels(
            `invalid escape '\\' followed by ${describeByte(next)} in the value of label ${quoteSlice(buf, nameStart, nameEnd)}`
          )
        }
        this.lastValueEscaped = 1
        i++
      }
      i++
    }
  }

  private backslashIn: Buffer | null = null
  private backslashAt = 0

  /**
   * Whether buf[from, end) holds a backslash. The next backslash's offset is remembered per buffer, so
   * the native search runs over each part of a chunk at most once: linear overall.
   */
  hasBackslash(buf: Buffer, from: number, end: number): boolean {
    if (buf !== this.backslashIn || this.backslashAt < from) {
      const at = buf.indexOf(BACKSLASH, from)
      this.backslashIn = buf
      this.backslashAt = at === -1 ? buf.length : at
      this.searchedBytes += this.backslashAt - from
    }
    return this.backslashAt < end
  }

  /** To call before scanning lines of a new chunk: a caller may refill the same Buffer object. */
  newChunk(): void {
    this.backslashIn = null
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

/** Where the token at `from` ends: at a space, a tab or the end of the line. */
function tokenEnd(buf: Buffer, from: number, end: number): number {
  let i = from
  while (i < end && buf[i] !== SPACE && buf[i] !== TAB) i++
  return i
}

/** [a-zA-Z0-9_], lowercase first: label names are almost always lowercase. */
function isLabelChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || c === 0x5f || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a)
}

/** [a-zA-Z0-9_:], lowercase first. */
function isMetricChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || c === 0x5f || (c >= 0x30 && c <= 0x3a) || (c >= 0x41 && c <= 0x5a)
}
