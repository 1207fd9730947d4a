import { LF } from './chars.js'

/** Receives each line without its '\n': buf[start, end). The buffer is only valid during the call. */
export type LineHandler = (buf: Buffer, start: number, end: number, lineNumber: number) => void

/** Far above any real exposition line (a few hundred bytes); bounds what a line can make the reader hold. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024

/**
 * Cuts a stream of chunks into lines. Only the unfinished line at the end of a chunk is kept (copied,
 * so the chunk can be released); a line longer than `maxLineBytes` is dropped as it arrives and reported
 * through `onOverlong`, so memory stays bounded whatever the input.
 */
export class LineSplitter {
  bytes = 0
  lines = 0
  /** Bytes copied to join lines split across chunks: with `bytes`, a measure of the work done. */
  copiedBytes = 0
  private pending: Buffer[] = []
  private pendingBytes = 0
  private overlong = false

  constructor(
    private readonly onLine: LineHandler,
    private readonly onOverlong: (lineNumber: number) => void,
    private readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES
  ) {}

  write(chunk: Buffer): void {
    const length = chunk.length
    this.bytes += length
    let from = 0
    if (this.pendingBytes > 0 || this.overlong) {
      const newline = chunk.indexOf(LF)
      if (newline === -1) {
        this.hold(chunk, 0)
        return
      }
      this.finishPending(chunk, newline)
      from = newline + 1
    }
    const max = this.maxLineBytes
    for (;;) {
      const newline = chunk.indexOf(LF, from)
      if (newline === -1) break
      this.lines++
      if (newline - from > max) this.onOverlong(this.lines)
      else this.onLine(chunk, from, newline, this.lines)
      from = newline + 1
    }
    if (from < length) this.hold(chunk, from)
  }

  /** Delivers a last line that has no '\n'. */
  end(): void {
    if (this.pendingBytes > 0 || this.overlong) this.finishPending(Buffer.alloc(0), 0)
  }

  private hold(chunk: Buffer, from: number): void {
    if (this.overlong) return
    const size = chunk.length - from
    if (this.pendingBytes + size > this.maxLineBytes) {
      this.overlong = true
      this.pending = []
      this.pendingBytes = 0
      return
    }
    this.pending.push(Buffer.from(chunk.subarray(from)))
    this.pendingBytes += size
    this.copiedBytes += size
  }

  private finishPending(chunk: Buffer, newline: number): void {
    this.lines++
    if (this.overlong || this.pendingBytes + newline > this.maxLineBytes) {
      this.onOverlong(this.lines)
    } else {
      this.pending.push(chunk.subarray(0, newline))
      const line = Buffer.concat(this.pending, this.pendingBytes + newline)
      this.copiedBytes += line.length
      this.onLine(line, 0, line.length, this.lines)
    }
    this.pending = []
    this.pendingBytes = 0
    this.overlong = false
  }
}
