/**
 * deploy/docker-compose.yml and its files, checked without a Docker engine: the compose file parses, every
 * bind-mounted path and secret file exists, the services point at each other with matching names, ports
 * and key pairs, promtool accepts the Prometheus configuration (with the rules it mounts), and the
 * environment variables that grafana/provisioning expands are all set.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix, relative, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { REPO_ROOT, externalTool } from '../helpers/environment.js'
import { freePort } from '../helpers/free-port.js'
import { baseEnvironment } from './support/dockerfile-replay.js'
import { at, list, record, type Json } from './support/manifests.js'
import { start, stop, waitForStatus } from './support/runtime.js'

const DEPLOY = join(REPO_ROOT, 'deploy')
const compose = parse(readFileSync(join(DEPLOY, 'docker-compose.yml'), 'utf8'), { merge: true }) as Json
const services = record(compose['services']) as unknown as Record<string, Json>
const scratch = mkdtempSync(join(tmpdir(), 'cce-compose-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

interface Mount {
  readonly host: string
  readonly container: string
}

/** Bind mounts of a service (short syntax), host paths resolved against deploy/; named volumes left out. */
function mounts(service: string): Mount[] {
  return strings(services[service]?.['volumes']).flatMap((entry) => {
    const [source = '', target = ''] = entry.split(':')
    if (!/^(\.{1,2})?\//.test(source)) return []
    return [{ host: resolve(DEPLOY, source), container: target }]
  })
}

function mountOf(service: string, repoPath: string): Mount {
  const found = mounts(service).find((mount) => mount.host === join(REPO_ROOT, repoPath))
  if (found === undefined) throw new Error(`${service} does not mount ${repoPath}`)
  return found
}

/** Value of `--name=value` in a service's command. */
function flag(service: string, name: string): string | undefined {
  const prefix = `--${name}=`
  return strings(services[service]?.['command'])
    .find((arg) => arg.startsWith(prefix))
    ?.slice(prefix.length)
}

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)))
    : []
}

const portOf = (address: string | undefined): string => String(address?.slice(address.lastIndexOf(':') + 1))

/** The container path a host file is seen at, for configurations written with container paths. */
function toHost(service: string, containerPath: string): string {
  const mount = mounts(service).find(
    (m) => containerPath === m.container || containerPath.startsWith(`${m.container}/`)
  )
  if (mount === undefined) throw new Error(`${containerPath} is not on a bind mount of ${service}`)
  return join(mount.host, posix.relative(mount.container, containerPath))
}

describe('deploy/docker-compose.yml', () => {
  it('has the simulator, the exporter, Prometheus, Alertmanager and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual([
      'alertmanager',
      'exporter',
      'grafana',
      'prometheus',
      'simulator'
    ])
    for (const name of ['prometheus', 'alertmanager', 'grafana']) {
      expect(String(services[name]?.['image']), name).toMatch(/:v?\d+\.\d+\.\d+$/)
    }
  })

  it('mounts only paths that exist in the repository', () => {
    const all = Object.keys(services).flatMap((name) => mounts(name).map((mount) => ({ name, ...mount })))
    expect(all.length).toBeGreaterThanOrEqual(5)
    for (const mount of all) {
      expect(existsSync(mount.host), `${mount.name}: ${relative(REPO_ROOT, mount.host)}`).toBe(true)
      expect(mount.host.startsWith(REPO_ROOT + '/'), mount.host).toBe(true)
    }
    for (const secret of Object.values(record(compose['secrets'])) as unknown as Json[]) {
      expect(statSync(resolve(DEPLOY, String(secret['file']))).isFile()).toBe(true)
    }
  })

  it('builds the exporter and the simulator from the repository Dockerfile', () => {
    for (const name of ['exporter', 'simulator']) {
      const build = services[name]?.['build'] as Json
      expect(existsSync(join(resolve(DEPLOY, String(build['context'])), String(build['dockerfile'])))).toBe(
        true
      )
      expect(services[name]?.['image']).toBe(services['exporter']?.['image'])
    }
  })

  it('lets the exporter reach the simulator over loopback with the key pair of the secret files', () => {
    expect(services['simulator']?.['network_mode']).toBe('service:exporter')
    const apiUrl = new URL(String(flag('exporter', 'api.url')))
    expect(apiUrl.protocol).toBe('http:')
    expect(apiUrl.hostname).toBe('127.0.0.1')
    const simulatorAddress = String(flag('simulator', 'listen-address'))
    expect(simulatorAddress).toBe(`127.0.0.1:${apiUrl.port}`)
    expect(portOf(simulatorAddress)).not.toBe(portOf(flag('exporter', 'web.listen-address')))
    const env = record(services['exporter']?.['environment'])
    const secretFiles = record(compose['secrets']) as unknown as Record<string, Json>
    const content = (variable: string): string => {
      const name = posix.basename(String(env[variable]))
      expect(String(env[variable])).toBe(`/run/secrets/${name}`)
      expect(strings(services['exporter']?.['secrets'])).toContain(name)
      return readFileSync(resolve(DEPLOY, String(secretFiles[name]?.['file'])), 'utf8').trim()
    }
    expect(content('CRATEDB_CLOUD_API_KEY_FILE')).toBe(flag('simulator', 'api-key'))
    expect(content('CRATEDB_CLOUD_API_SECRET_FILE')).toBe(flag('simulator', 'api-secret'))
    expect(env['CRATEDB_CLOUD_API_KEY']).toBeUndefined()
    expect(env['CRATEDB_CLOUD_API_SECRET']).toBeUndefined()
  })

  it('scrapes the exporter as job cratedb-cloud-exporter and alerts through the Alertmanager service', () => {
    const config = parse(
      readFileSync(toHost('prometheus', String(flag('prometheus', 'config.file'))), 'utf8')
    ) as Json
    const jobs = list(config['scrape_configs'])
    const job = jobs.find((candidate) => candidate['job_name'] === 'cratedb-cloud-exporter')
    const exporterPort = portOf(flag('exporter', 'web.listen-address'))
    expect(at(job, 'static_configs', 0, 'targets')).toEqual([`exporter:${exporterPort}`])
    // published on the host's loopback only: the exporter's pages are not for the network
    expect(strings(services['exporter']?.['ports'])).toEqual([`127.0.0.1:${exporterPort}:${exporterPort}`])
    const alertTargets = list(at(config, 'alerting', 'alertmanagers', 0, 'static_configs', 0, 'targets')).map(
      String
    )
    expect(alertTargets).toEqual(['alertmanager:9093'])
    for (const target of jobs.flatMap((j) => strings(at(j, 'static_configs', 0, 'targets')))) {
      const host = target.split(':')[0] ?? ''
      if (host !== 'localhost') expect(Object.keys(services), target).toContain(host)
    }
  })

  it('gives promtool a Prometheus configuration it accepts, with the mounted rules', () => {
    const promtool = externalTool('promtool')
    if (promtool === undefined) return
    const configPath = toHost('prometheus', String(flag('prometheus', 'config.file')))
    const config = parse(readFileSync(configPath, 'utf8')) as Json
    const rules = strings(config['rule_files']).map((file) => toHost('prometheus', file))
    const copy = join(scratch, 'prometheus.yml')
    writeFileSync(copy, stringify({ ...config, rule_files: rules }))
    const result = spawnSync(promtool, ['check', 'config', copy], { encoding: 'utf8' })
    const output = result.stdout + result.stderr
    expect(output, output).toMatch(/SUCCESS: .*prometheus\.yml is valid prometheus config file syntax/)
    const found = [...output.matchAll(/SUCCESS: (\d+) rules found/g)].map((match) => Number(match[1]))
    expect(found.length).toBe(
      readdirSync(join(REPO_ROOT, 'prometheus', 'rules')).filter((f) => f.endsWith('.yml')).length
    )
    expect(found.every((count) => count > 0)).toBe(true)
    expect(result.status).toBe(0)
  })

  it('routes every alert to a receiver that Alertmanager defines', () => {
    const config = parse(
      readFileSync(toHost('alertmanager', String(flag('alertmanager', 'config.file'))), 'utf8')
    ) as Json
    const receivers = list(config['receivers']).map((receiver) => receiver['name'])
    expect(receivers).toContain(at(config, 'route', 'receiver'))
  })

  it('sets every variable that grafana/provisioning expands, to the mounted dashboards and the Prometheus service', () => {
    const env = record(services['grafana']?.['environment'])
    const provisioning = mountOf('grafana', 'grafana/provisioning')
    expect(provisioning.container).toBe('/etc/grafana/provisioning')
    const files = readdirSync(provisioning.host, { recursive: true, encoding: 'utf8' }).filter((f) =>
      /\.ya?ml$/.test(f)
    )
    expect(files.length).toBeGreaterThanOrEqual(2)
    const used = new Set(
      files.flatMap((f) =>
        [
          ...JSON.stringify(parse(readFileSync(join(provisioning.host, f), 'utf8'))).matchAll(/\$\{(\w+)\}/g)
        ].map((m) => m[1])
      )
    )
    for (const name of used) expect(env[name ?? ''], `${name} for grafana/provisioning`).toBeDefined()
    expect(env['CRATEDB_CLOUD_DASHBOARDS_DIR']).toBe(mountOf('grafana', 'grafana/dashboards').container)
    expect(env['PROMETHEUS_URL']).toBe('http://prometheus:9090')
  })

  it('runs: the simulator and exporter commands of the compose file work together over loopback', async () => {
    const [simulatorPort, exporterPort] = [await freePort(), await freePort()]
    const replacePort = (args: string[], name: string, from: string, to: string): string[] =>
      args.map((arg) => (arg.startsWith(`--${name}=`) ? arg.replace(from, to) : arg))
    const apiPort = new URL(String(flag('exporter', 'api.url'))).port
    const simulatorArgs = replacePort(
      strings(services['simulator']?.['command']),
      'listen-address',
      `:${apiPort}`,
      `:${simulatorPort}`
    )
    let exporterArgs = replacePort(
      strings(services['exporter']?.['command']),
      'api.url',
      `:${apiPort}`,
      `:${simulatorPort}`
    )
    exporterArgs = exporterArgs.map((arg) =>
      arg.startsWith('--web.listen-address=') ? `--web.listen-address=127.0.0.1:${exporterPort}` : arg
    )
    const secretFiles = record(compose['secrets']) as unknown as Record<string, Json>
    const env: NodeJS.ProcessEnv = { ...baseEnvironment() }
    for (const [name, value] of Object.entries(record(services['exporter']?.['environment']))) {
      const secret = /^\/run\/secrets\/(\w+)$/.exec(value)?.[1]
      env[name] = secret === undefined ? value : resolve(DEPLOY, String(secretFiles[secret]?.['file']))
    }
    const cli = join(REPO_ROOT, 'dist', 'cli.js')
    const simulator = start(process.execPath, [cli, ...simulatorArgs], {
      cwd: REPO_ROOT,
      env: baseEnvironment()
    })
    const exporter = start(process.execPath, [cli, ...exporterArgs], { cwd: REPO_ROOT, env })
    try {
      await waitForStatus(`http://127.0.0.1:${exporterPort}/readyz`, 200, exporter, 60_000)
      const metrics = await (await fetch(`http://127.0.0.1:${exporterPort}/metrics`)).text()
      expect(metrics).toMatch(/^cratedb_cloud_cluster_info\{/m)
      expect(metrics).not.toMatch(/demo-secret/)
    } finally {
      await stop(exporter)
      await stop(simulator)
    }
  }, 90_000)
})
