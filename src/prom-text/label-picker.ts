import { CLOSE_BRACE, COMMA, EQUALS, OPEN_BRACE, QUOTE } from './chars.js'
import type { LineScanner } from './line-scanner.js'

/** The label names one kind of line is read for, prepared once. */
export class WantedLabels {
  readonly names: readonly Buffer[]
  /** Where the value of each wanted label starts and ends in the line last picked; -1 when absent. */
  readonly starts: Int32Array
  readonly ends: Int32Array
  constructor(names: readonly string[]) {
    this.names = names.map((name) => Buffer.from(name, 'latin1'))
    this.starts = new Int32Array(names.length)
    this.ends = new Int32Array(names.length)
  }
}

/**
 * Reads a label set in the form the API writes, `{a="x",b="y"}`: no blank, no backslash in the line, no
 * trailing comma. One pass checks its syntax exactly as the full scan would and notes where the values of
 * a few wanted labels are (the first of each name, as the full scan's lookup would), without recording
 * every label or making any string. Any other form is left to the full scan.
 */
export class LabelPicker {
  private quoteIn: Buffer | null = null
  private quoteFrom = 0
  private quoteAt = 0

  constructor(private readonly scanner: LineScanner) {}

  /**
   * Reads the label set opening at buf[open] ('{'), in a line ending at `end`; returns the offset after
   * its '}', or -1 when the line is not in that form (not necessarily invalid: scan it in full).
   */
  pick(buf: Buffer, open: number, end: number, wanted: WantedLabels): number {
    const { names, starts, ends } = wanted
    const count = names.length
    for (let k = 0; k < count; k++) starts[k] = -1
    if (open >= end || buf[open] !== OPEN_BRACE || this.scanner.hasBackslash(buf, open, end)) return -1
    let i = open
    let c = 0
    for (;;) {
      if (i !== open) {
        c = i < end ? buf[i]! : 0
        if (c === CLOSE_BRACE) break
        if (c !== COMMA) return -1
      }
      i++
      const nameStart = i
      c = i < end ? buf[i]! : 0
      if (!((c >= 0x61 && c <= 0x7a) || c === 0x5f || (c >= 0x41 && c <= 0x5a))) return -1
      i++
      while (i < end && isLabelChar(buf[i]!)) i++
      const nameLength = i - nameStart
      if (i + 1 >= end || buf[i] !== EQUALS || buf[i + 1] !== QUOTE) return -1
      const valueStart = i + 2
      i = this.nextQuote(buf, valueStart)
      if (i >= end) return -1
      for (let k = 0; k < count; k++) {
        const name = names[k]!
        if (name.length === nameLength && starts[k] === -1 && sameName(buf, nameStart, name)) {
          starts[k] = valueStart
          ends[k] = i
          break
        }
      }
      i++
    }
    return i + 1
  }

  /** To call before the lines of a new chunk: a caller may refill the same Buffer object. */
  newChunk(): void {
    this.quoteIn = null
  }

  /**
   * The first quote at or after `from`, or buf.length. The last answer stands for any `from` between
   * the last search's start and it: a value left unterminated by one line is not searched past again
   * for each line after it, so the native searches stay linear in the chunk.
   */
  private nextQuote(buf: Buffer, from: number): number {
    if (buf !== this.quoteIn || from < this.quoteFrom || from > this.quoteAt) {
      const at = buf.indexOf(QUOTE, from)
      this.quoteIn = buf
      this.quoteAt = at === -1 ? buf.length : at
      this.scanner.searchedBytes += this.quoteAt - from
    }
    this.quoteFrom = from
    return this.quoteAt
  }
}

/** Whether raw, unescaped label value buf[start, end) is `expected`. */
export function rawValueIs(buf: Buffer, start: number, end: number, expected: Buffer): boolean {
  if (start < 0) return false
  const length = expected.length
  if (end - start !== length) return false
  let k = length - 1
  while (k >= 0 && buf[start + k] === expected[k]) k--
  return k < 0
}

function sameName(buf: Buffer, start: number, name: Buffer): boolean {
  let k = name.length - 1
  while (k >= 0 && buf[start + k] === name[k]) k--
  return k < 0
}

/** [a-zA-Z0-9_], lowercase first. */
function isLabelChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || c === 0x5f || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a)
}
