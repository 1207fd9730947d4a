import { Writable } from 'node:stream'
import { pino, type Logger, type DestinationStream } from 'pino'

export type LogFormat = 'json' | 'pretty'
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

export type { Logger }

/** Paths pino replaces with "[redacted]" wherever they appear in a log line. */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  '*.authorization',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'apiSecret',
  '*.apiSecret'
]

export interface LoggerOptions {
  level: LogLevel
  format: LogFormat
  /** Where lines go (the command passes its stderr). */
  destination: NodeJS.WritableStream
}

export function createLogger(options: LoggerOptions): Logger {
  const out = options.destination
  const destination: DestinationStream = options.format === 'pretty' ? createPrettyStream(out) : out
  return pino(
    {
      level: options.level,
      base: null,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime
    },
    destination
  )
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL'
}

/** A small human format, `time LEVEL msg key=value ...`, for people reading a terminal. */
export function createPrettyStream(out: NodeJS.WritableStream): Writable {
  let pending = ''
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      pending += chunk.toString('utf8')
      let newline = pending.indexOf('\n')
      while (newline !== -1) {
        out.write(formatPretty(pending.slice(0, newline)) + '\n')
        pending = pending.slice(newline + 1)
        newline = pending.indexOf('\n')
      }
      callback()
    }
  })
}

export function formatPretty(line: string): string {
  let record: Record<string, unknown>
  try {
    record = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line
  }
  const { time, level, msg, ...rest } = record
  const levelName = typeof level === 'number' ? (LEVEL_NAMES[level] ?? String(level)) : String(level)
  const fields = Object.entries(rest)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(' ')
  const message = typeof msg === 'string' ? msg : JSON.stringify(msg ?? '')
  return `${String(time)} ${levelName.padEnd(5)} ${message}${fields ? ' ' + fields : ''}`
}
