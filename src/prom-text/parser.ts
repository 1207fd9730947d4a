import {
  LINE_COMMENT,
  LINE_INVALID,
  LINE_SAMPLE,
  LineScanner,
  labelName,
  labelValue
} from './line-scanner.js'
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter.js'

export type Labels = Record<string, string>

/** Called once per sample; `labels` is a fresh null-prototype object the handler may keep. */
export type SampleHandler = (name: string, labels: Labels, value: number, timestampMs: number | null) => void

export type MetadataKind = 'HELP' | 'TYPE'

export interface InvalidLine {
  /** 1-based. */
  readonly line: number
  /** What is wrong, e.g. `expected '=' after label name "pod"`. */
  readonly message: string
}

export interface PromTextStats {
  bytes: number
  /** Every line, blank and comment lines included; a last line without '\n' counts. */
  lines: number
  samples: number
  blankLines: number
  commentLines: number
  invalidLines: number
  firstInvalid: InvalidLine | null
  /**
   * Bytes scanned, searched and copied: stays within a small multiple of `bytes` whatever the input and
   * its chunking, which is what linear time means here.
   */
  work: number
}

export interface PromTextParserOptions {
  onSample: SampleHandler
  /** `# HELP name text` (text unescaped) and `# TYPE name type`; other comments are skipped. */
  onMetadata?: (kind: MetadataKind, metric: string, text: string) => void
  /** Longer lines are counted invalid without being held; default 1 MiB. */
  maxLineBytes?: number
}

export interface PromTextParser {
  write(chunk: Buffer): void
  /** Flushes a last line without '\n' and returns the totals. */
  end(): PromTextStats
  stats(): PromTextStats
}

/**
 * A push parser for the Prometheus text exposition format 0.0.4. Invalid lines never throw: they are
 * counted, and the first one is kept with its line number and what is wrong with it.
 */
export function createPromTextParser(options: PromTextParserOptions): PromTextParser {
  const { onSample, onMetadata } = options
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  const scanner = new LineScanner()
  const totals: PromTextStats = {
    bytes: 0,
    lines: 0,
    samples: 0,
    blankLines: 0,
    commentLines: 0,
    invalidLines: 0,
    firstInvalid: null,
    work: 0
  }
  let scanned = 0

  const invalid = (line: number, message: string): void => {
    totals.invalidLines++
    totals.firstInvalid ??= { line, message }
  }

  const onLine = (buf: Buffer, start: number, end: number, line: number): void => {
    scanned += end - start
    const kind = scanner.scan(buf, start, end)
    if (kind === LINE_SAMPLE) {
      totals.samples++
      const labels: Labels = Object.create(null) as Labels
      for (let index = 0; index < scanner.labelCount; index++) {
        labels[labelName(scanner, buf, index)] = labelValue(scanner, buf, index)
      }
      const name = buf.toString('latin1', scanner.nameStart, scanner.nameEnd)
      onSample(name, labels, scanner.value, scanner.timestampMs)
    } else if (kind === LINE_INVALID) {
      invalid(line, scanner.error)
    } else if (kind === LINE_COMMENT) {
      totals.commentLines++
      if (onMetadata !== undefined)
        readMetadata(buf.toString('utf8', scanner.commentStart, scanner.end), onMetadata)
    } else {
      totals.blankLines++
    }
  }

  const splitter = new LineSplitter(
    onLine,
    (line) => invalid(line, `line longer than ${maxLineBytes} bytes`),
    maxLineBytes
  )

  const stats = (): PromTextStats => {
    totals.bytes = splitter.bytes
    totals.lines = splitter.lines
    totals.work = scanned + scanner.searchedBytes + splitter.copiedBytes
    return { ...totals }
  }

  return {
    write: (chunk) => {
      scanner.newChunk()
      splitter.write(chunk)
    },
    end: () => {
      splitter.end()
      return stats()
    },
    stats
  }
}

const METADATA = /^[ \t]*(HELP|TYPE)[ \t]+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:[ \t]+(.*))?$/s

function readMetadata(comment: string, onMetadata: NonNullable<PromTextParserOptions['onMetadata']>): void {
  // Linear: the classes are disjoint from the separators around them, so nothing is tried twice.
  const match = METADATA.exec(comment)
  if (match === null) return
  const kind = match[1] as MetadataKind
  const text = match[3] ?? ''
  onMetadata(kind, match[2]!, kind === 'HELP' ? unescapeHelp(text) : text.trim())
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'))
}

export interface ParsedSample {
  readonly name: string
  readonly labels: Labels
  readonly value: number
  readonly timestampMs: number | null
}

export interface ParsedPromText {
  readonly samples: ParsedSample[]
  /** Metric name -> HELP text (unescaped) and TYPE, from the comment lines. */
  readonly help: Map<string, string>
  readonly types: Map<string, string>
  readonly invalid: { readonly count: number; readonly first: InvalidLine | null }
  readonly stats: PromTextStats
}

/** Parses a whole exposition held in memory (tests, small bodies); streams go through createPromTextParser. */
export function parsePromText(text: string): ParsedPromText {
  const samples: ParsedSample[] = []
  const help = new Map<string, string>()
  const types = new Map<string, string>()
  const parser = createPromTextParser({
    onSample: (name, labels, value, timestampMs) => samples.push({ name, labels, value, timestampMs }),
    onMetadata: (kind, metric, value) => (kind === 'HELP' ? help : types).set(metric, value)
  })
  parser.write(Buffer.from(text, 'utf8'))
  const stats = parser.end()
  return { samples, help, types, invalid: { count: stats.invalidLines, first: stats.firstInvalid }, stats }
}
