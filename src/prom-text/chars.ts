/** Byte constants and character classes of the Prometheus text format 0.0.4. */

export const LF = 0x0a
export const CR = 0x0d
export const SPACE = 0x20
export const TAB = 0x09
export const HASH = 0x23
export const QUOTE = 0x22
export const BACKSLASH = 0x5c
export const EQUALS = 0x3d
export const COMMA = 0x2c
export const OPEN_BRACE = 0x7b
export const CLOSE_BRACE = 0x7d
export const LOWER_N = 0x6e

/** [a-zA-Z_:] */
export const METRIC_START = 1
/** [a-zA-Z0-9_:] */
export const METRIC_CHAR = 2
/** [a-zA-Z_] */
export const LABEL_START = 4
/** [a-zA-Z0-9_] */
export const LABEL_CHAR = 8
/** space or tab */
export const BLANK = 16

export const CHAR_CLASS: Uint8Array = buildClasses()

function buildClasses(): Uint8Array {
  const table = new Uint8Array(256)
  const mark = (from: number, to: number, bits: number): void => {
    for (let c = from; c <= to; c++) table[c] = (table[c] ?? 0) | bits
  }
  const letters = METRIC_START | METRIC_CHAR | LABEL_START | LABEL_CHAR
  mark(0x41, 0x5a, letters)
  mark(0x61, 0x7a, letters)
  mark(0x5f, 0x5f, letters)
  mark(0x30, 0x39, METRIC_CHAR | LABEL_CHAR)
  mark(0x3a, 0x3a, METRIC_START | METRIC_CHAR)
  mark(SPACE, SPACE, BLANK)
  mark(TAB, TAB, BLANK)
  return table
}

/** A byte as it reads in an error message. */
export function describeByte(c: number | undefined): string {
  if (c === undefined) return 'end of line'
  if (c > 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`
  if (c === SPACE) return 'a space'
  if (c === TAB) return 'a tab'
  return `byte 0x${c.toString(16).padStart(2, '0')}`
}

const SHOWN = 48

/** A slice of a line, quoted and shortened, for error messages. */
export function quoteSlice(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('utf8', start, Math.min(end, start + SHOWN))
  return JSON.stringify(end - start > SHOWN ? `${text}…` : text)
}
