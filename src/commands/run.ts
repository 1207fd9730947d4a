import type { Command } from '../cli/io.js'

export const runCommand: Command = {
  name: 'run',
  summary: '(being written)',
  run(io) {
    io.stderr.write('run: not available in this build\n')
    return Promise.resolve(1)
  }
}
