import type { Command } from '../cli/io.js'

export const simulateCommand: Command = {
  name: 'simulate',
  summary: '(being written)',
  run(io) {
    io.stderr.write('simulate: not available in this build\n')
    return Promise.resolve(1)
  }
}
