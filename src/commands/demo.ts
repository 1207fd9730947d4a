import type { Command } from '../cli/io.js'

export const demoCommand: Command = {
  name: 'demo',
  summary: '(being written)',
  run(io) {
    io.stderr.write('demo: not available in this build\n')
    return Promise.resolve(1)
  }
}
