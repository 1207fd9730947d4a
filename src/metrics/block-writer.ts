/** Chunks are formatted here, then copied out at their exact length. */
const SCRATCH_BYTES = 256 * 1024
/** The scratch area of the writers made one after another (the usual case), reused across renders. */
let spare: Buffer | undefined

/**
 * Writes lines of text into exact-size Buffers of up to 256 KiB each. Lines are short strings that
 * die young; the text of a whole family is never built as one string (building a 3 MB string by
 * concatenation leaves a rope of short-lived pieces behind in the old generation).
 */
export class BlockWriter {
  readonly #parts: Buffer[] = []
  readonly #scratch: Buffer
  #used = 0
  #finished = false

  constructor() {
    this.#scratch = spare ?? Buffer.allocUnsafe(SCRATCH_BYTES)
    spare = undefined
  }

  write(line: string): void {
    if (this.#finished) throw new Error('BlockWriter.write after finish')
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    const most = line.length * 3
    if (this.#scratch.length - this.#used < most) {
      this.#flush()
      if (most > this.#scratch.length) {
        this.#parts.push(Buffer.from(line, 'utf8'))
        return
      }
    }
    this.#used += this.#scratch.write(line, this.#used, 'utf8')
  }

  /** The lines written, in exact-size Buffers. The writer must not be used afterwards. */
  finish(): Buffer[] {
    this.#flush()
    this.#finished = true
    spare = this.#scratch
    return this.#parts
  }

  #flush(): void {
    if (this.#used === 0) return
    // Buffer.from(buffer) copies: the scratch area is reused by the next chunk.
    this.#parts.push(Buffer.from(this.#scratch.subarray(0, this.#used)))
    this.#used = 0
  }
}
