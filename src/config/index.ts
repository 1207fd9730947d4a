export { ConfigError } from './errors.js'
export { RUN_FLAGS } from './flags.js'
export { loadConfig, type LoadConfigInput, type LoadedConfig } from './load.js'
export { formatDuration, parseDuration } from './parse.js'
