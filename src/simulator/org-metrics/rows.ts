import { Buffer } from 'node:buffer'
import { formatValue } from './format.js'

/**
 * Where family functions put their samples. The series text (name and labels) is passed as a function:
 * it stays the same from one body to the next while a cluster keeps its shape, so it is built once and
 * its bytes reused (templates.ts), and only the value and the timestamp are written each time.
 */
export interface Rows {
  sample(series: () => string, value: number, timestampMs: number): void
}

/** The rows of one family of one cluster, as first rendered: their series texts, values and timestamps. */
export class RecordedRows implements Rows {
  readonly series: string[] = []
  readonly values: number[] = []
  readonly timestamps: number[] = []

  sample(series: () => string, value: number, timestampMs: number): void {
    this.series.push(series())
    this.values.push(value)
    this.timestamps.push(timestampMs)
  }
}

/**
 * The series texts of one family of one cluster, each followed by the space before its value, encoded
 * once: row i is bytes[ends[i - 1], ends[i]).
 */
export interface Template {
  readonly bytes: Buffer
  readonly ends: Uint32Array
}

const SLAB_BYTES = 1024 * 1024
let slab = Buffer.allocUnsafeSlow(0)
let slabUsed = 0

/** Templates are cut from shared slabs: one allocation per template would cost more than the text. */
function templateBytes(size: number): Buffer {
  if (size > SLAB_BYTES / 4) return Buffer.allocUnsafeSlow(size)
  if (slabUsed + size > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES)
    slabUsed = 0
  }
  slabUsed += size
  return slab.subarray(slabUsed - size, slabUsed)
}

export function templateOf(recorded: RecordedRows): Template {
  let total = 0
  for (const series of recorded.series) total += Buffer.byteLength(series, 'utf8') + 1
  const bytes = templateBytes(total)
  const ends = new Uint32Array(recorded.series.length)
  let at = 0
  recorded.series.forEach((series, row) => {
    at += bytes.write(series, at, 'utf8')
    bytes[at++] = 0x20
    ends[row] = at
  })
  return { bytes, ends }
}

const CHUNK_BYTES = 128 * 1024
/** Room for a value and a timestamp (a float's longest text is 24 characters) and the newline. */
const NUMBERS_ROOM = 64

/**
 * Writes rows into chunks of about 128 KiB of whole lines; a full chunk is moved to `ready`, where the
 * renderer collects it. Each chunk is a Buffer of its own, since the HTTP response keeps it until sent.
 */
export class ChunkWriter {
  readonly ready: Buffer[] = []
  private buf = Buffer.allocUnsafe(CHUNK_BYTES)
  private at = 0

  /** Writes row `row` of `template` with this value and timestamp. */
  row(template: Template, row: number, value: number, timestampMs: number): void {
    const start = row === 0 ? 0 : template.ends[row - 1]!
    const end = template.ends[row]
    if (end === undefined)
      throw new RangeError(`a template of ${template.ends.length} rows has no row ${row}`)
    this.room(end - start + NUMBERS_ROOM)
    const buf = this.buf
    let at = this.at + template.bytes.copy(buf, this.at, start, end)
    if (Number.isSafeInteger(value)) {
      at = digits(buf, at, value)
      buf[at++] = 0x2e // formatValue's '.0' after an integer
      buf[at++] = 0x30
    } else at = ascii(buf, at, formatValue(value))
    buf[at++] = 0x20
    at = Number.isSafeInteger(timestampMs)
      ? digits(buf, at, timestampMs)
      : ascii(buf, at, String(timestampMs))
    buf[at++] = 0x0a
    this.at = at
  }

  /** Writes text as it is (the body's trailer). */
  text(text: string): void {
    this.room(Buffer.byteLength(text, 'utf8'))
    this.at += this.buf.write(text, this.at, 'utf8')
  }

  /** Moves what is written to `ready`. */
  flush(): void {
    if (this.at === 0) return
    this.ready.push(this.buf.subarray(0, this.at))
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES)
    this.at = 0
  }

  get length(): number {
    return this.at
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return
    this.flush()
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes)
  }
}

/** A safe integer as String() prints it, without making the string. */
function digits(buf: Buffer, at: number, value: number): number {
  if (value < 0) {
    buf[at++] = 0x2d
    value = -value
  }
  let end = at
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) end++
  for (let k = end; k >= at; k--) {
    buf[k] = 0x30 + (value % 10)
    value = Math.floor(value / 10)
  }
  return end + 1
}

/** Numbers print as ASCII: a byte per character is the whole encoding. */
function ascii(buf: Buffer, at: number, text: string): number {
  for (let k = 0; k < text.length; k++) buf[at++] = text.charCodeAt(k)
  return at
}
