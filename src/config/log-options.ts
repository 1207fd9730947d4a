import type { LogFormat, LogLevel } from './types.js'

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace']

/** "auto" is resolved by the loader: pretty when the log goes to a terminal, json otherwise. */
export type LogFormatChoice = LogFormat | 'auto'
export const LOG_FORMAT_CHOICES: readonly LogFormatChoice[] = ['json', 'pretty', 'auto']
