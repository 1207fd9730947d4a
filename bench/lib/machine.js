// What the figures were measured on.
import { execSync } from 'node:child_process'
import os from 'node:os'
import process from 'node:process'
import { toolVersion } from './processes.js'

function git(args) {
  try {
    return execSync(`git ${args}`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

export function machineMarkdown(tools) {
  const cpus = os.cpus()
  const rows = [
    ['CPU', `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`],
    ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['OS', `${os.type()} ${os.release()} (${os.arch()})`],
    ['Node.js', process.version],
    ['Prometheus', toolVersion(tools.prometheus, ['--version'])],
    ['nginx', toolVersion(tools.nginx, ['-v'])],
    ['wrk', toolVersion(tools.wrk, ['--version']).replace(/ \[.*$/, '')],
    [
      'commit',
      `${git('rev-parse --short HEAD')}${git('status --porcelain -- src') === '' ? '' : ' (with uncommitted src changes)'}`
    ],
    ['date', new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC']
  ]
  return `## Machine

| | |
| --- | --- |
${rows.map(([key, value]) => `| ${key} | ${value} |`).join('\n')}
`
}
