/**
 * The Kubernetes manifests in deploy/kubernetes, parsed and checked against each other: what one names
 * (labels, port names, Secret keys, file paths) must be what the other provides, since nothing here
 * runs a cluster to find out.
 */
import bcrypt from 'bcryptjs'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadWebConfig, WebConfigError } from '../../src/server/web-config.js'
import { REPO_ROOT, externalTool } from '../helpers/environment.js'
import { parseDockerfile } from './support/dockerfile-parse.js'
import {
  KUBERNETES_DIR,
  at,
  list,
  loadManifests,
  manifestFiles,
  parseYaml11,
  record,
  selects,
  type Json,
  type Manifest
} from './support/manifests.js'

const manifests = loadManifests()
const kustomization = parseYaml11(
  readFileSync(join(KUBERNETES_DIR, 'kustomization.yaml'), 'utf8'),
  'kustomization'
)[0]!

function only(kind: string): Manifest {
  const found = manifests.filter((manifest) => manifest.kind === kind)
  expect(
    found.map((manifest) => manifest.name),
    kind
  ).toHaveLength(1)
  return found[0]!
}

const deployment = only('Deployment')
const service = only('Service')
const serviceMonitor = only('ServiceMonitor')
function named(kind: string, name: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.name === name)
  expect(found, `${kind} ${name}`).toBeDefined()
  return found!
}

const secret = named('Secret', 'cratedb-cloud-exporter')
const pod = at(deployment.body, 'spec', 'template') as Json
const container = list(at(pod, 'spec', 'containers'))[0]!
const containerPorts = list(container['ports'])
const envValue = (name: string): unknown =>
  list(container['env']).find((entry) => entry['name'] === name)?.['value']

describe('deploy/kubernetes', () => {
  it('lists every manifest in kustomization.yaml, and only existing ones', () => {
    expect(kustomization['kind']).toBe('Kustomization')
    expect([...(kustomization['resources'] as string[])].sort()).toEqual(manifestFiles())
    expect(manifests.map((manifest) => manifest.kind).sort()).toEqual([
      'Deployment',
      'NetworkPolicy',
      'PrometheusRule',
      'Secret',
      'Secret',
      'Secret',
      'Service',
      'ServiceMonitor'
    ])
    for (const manifest of manifests) {
      expect(manifest.body['apiVersion'], manifest.file).toBeTypeOf('string')
      expect(manifest.name, manifest.file).toMatch(/^[a-z0-9-]+$/)
      // The namespace comes from the kustomization, so one `namespace:` there moves everything.
      expect(at(manifest.body, 'metadata', 'namespace'), manifest.file).toBeUndefined()
    }
    expect(serviceMonitor.body['apiVersion']).toBe('monitoring.coreos.com/v1')
  })

  it('selects the pods with the Deployment and the Service, and the Service with the ServiceMonitor', () => {
    const podLabels = record(at(pod, 'metadata', 'labels'))
    expect(selects(record(at(deployment.body, 'spec', 'selector', 'matchLabels')), podLabels)).toBe(true)
    expect(selects(record(at(service.body, 'spec', 'selector')), podLabels)).toBe(true)
    const serviceLabels = record(at(service.body, 'metadata', 'labels'))
    expect(selects(record(at(serviceMonitor.body, 'spec', 'selector', 'matchLabels')), serviceLabels)).toBe(
      true
    )
  })

  it('connects ports by name: container -> Service targetPort -> ServiceMonitor endpoint', () => {
    const metricsPort = containerPorts.find((port) => port['name'] === 'metrics')
    expect(metricsPort?.['containerPort']).toBe(9863)
    const servicePorts = list(at(service.body, 'spec', 'ports'))
    expect(servicePorts).toHaveLength(1)
    expect(servicePorts[0]?.['name']).toBe('metrics')
    expect(servicePorts[0]?.['targetPort']).toBe('metrics')
    const endpoints = list(at(serviceMonitor.body, 'spec', 'endpoints'))
    expect(endpoints.map((endpoint) => endpoint['port'])).toEqual(['metrics'])
    expect(endpoints[0]?.['path']).toBe('/metrics')
    // The listen address the container is told matches the port it declares.
    expect(envValue('CRATEDB_CLOUD_EXPORTER_WEB_LISTEN_ADDRESS')).toBe(':9863')
  })

  it('lets only Prometheus in, on the metrics port, and the exporter out only to DNS and HTTPS', () => {
    const policy = only('NetworkPolicy')
    const podLabels = record(at(pod, 'metadata', 'labels'))
    expect(record(at(policy.body, 'spec', 'podSelector', 'matchLabels'))).toEqual(podLabels)
    expect(at(policy.body, 'spec', 'policyTypes')).toEqual(['Ingress', 'Egress'])
    const ingress = list(at(policy.body, 'spec', 'ingress'))
    expect(ingress).toHaveLength(1)
    const metricsPort = containerPorts.find((port) => port['containerPort'] === 9863)?.['name']
    expect(list(ingress[0]!['ports']).map((port) => port['port'])).toEqual([metricsPort])
    expect(list(ingress[0]!['from']).length).toBeGreaterThan(0)
    const egressPorts = list(at(policy.body, 'spec', 'egress')).flatMap((rule) =>
      list(rule['ports']).map((port) => `${String(port['port'])}/${String(port['protocol'])}`)
    )
    expect(egressPorts.sort()).toEqual(['443/TCP', '53/TCP', '53/UDP'])
  })

  it('names the Service as the job the alert rules select on', () => {
    const rules = readFileSync(join(REPO_ROOT, 'prometheus', 'rules', 'cratedb-cloud-alerts.yml'), 'utf8')
    expect(rules).toContain(`job="${service.name}"`)
    expect(at(serviceMonitor.body, 'spec', 'jobLabel')).toBeUndefined()
  })

  it('probes /healthz for liveness and /readyz for readiness on the metrics port', () => {
    expect(at(container, 'livenessProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'metrics' })
    expect(at(container, 'readinessProbe', 'httpGet')).toEqual({ path: '/readyz', port: 'metrics' })
    const startup = at(container, 'startupProbe', 'httpGet') as Json | undefined
    if (startup !== undefined) expect(startup).toEqual({ path: '/healthz', port: 'metrics' })
  })

  it('mounts the Secret keys as files where the *_FILE variables point, and never as plain variables', () => {
    const volumes = list(at(pod, 'spec', 'volumes'))
    const mounts = list(container['volumeMounts'])
    for (const mount of mounts) expect(volumes.map((volume) => volume['name'])).toContain(mount['name'])
    const volume = volumes.find((candidate) => at(candidate, 'secret', 'secretName') === secret.name)
    expect(
      manifests
        .filter((manifest) => manifest.kind === 'Secret')
        .map((m) => m.name)
        .sort()
    ).toEqual([
      'cratedb-cloud-exporter',
      'cratedb-cloud-exporter-scrape',
      'cratedb-cloud-exporter-web-config'
    ])
    expect(volume).toBeDefined()
    expect(at(volume, 'secret', 'defaultMode')).toBe(0o440)
    const mount = mounts.find((candidate) => candidate['name'] === volume!['name'])!
    expect(mount['readOnly']).toBe(true)
    const items = list(at(volume, 'secret', 'items'))
    const secretKeys = Object.keys({
      ...record(secret.body['stringData']),
      ...record(secret.body['data'])
    }).sort()
    expect(items.map((item) => item['key']).sort()).toEqual(secretKeys)
    const fileOf = (key: string): string =>
      `${String(mount['mountPath'])}/${String(items.find((item) => item['key'] === key)?.['path'])}`
    expect(envValue('CRATEDB_CLOUD_API_KEY_FILE')).toBe(fileOf('api-key'))
    expect(envValue('CRATEDB_CLOUD_API_SECRET_FILE')).toBe(fileOf('api-secret'))
    const names = list(container['env']).map((entry) => entry['name'])
    expect(names).not.toContain('CRATEDB_CLOUD_API_KEY')
    expect(names).not.toContain('CRATEDB_CLOUD_API_SECRET')
    expect(container['envFrom']).toBeUndefined()
    // Files mounted 0440 are readable only through the group that fsGroup gives them.
    expect(at(pod, 'spec', 'securityContext', 'fsGroup')).toBe(
      at(pod, 'spec', 'securityContext', 'runAsGroup')
    )
  })

  it('runs locked down as the image user', () => {
    const podSecurity = at(pod, 'spec', 'securityContext') as Json
    const user = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'))
      .stages.at(-1)!
      .instructions.findLast((step) => step.keyword === 'USER')!.rest
    expect(`${String(podSecurity['runAsUser'])}:${String(podSecurity['runAsGroup'])}`).toBe(user)
    expect(podSecurity['runAsNonRoot']).toBe(true)
    expect(at(podSecurity, 'seccompProfile', 'type')).toBe('RuntimeDefault')
    expect(container['securityContext']).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] }
    })
    expect(at(pod, 'spec', 'automountServiceAccountToken')).toBe(false)
  })

  it('requests and limits memory as sized from the benchmark', () => {
    expect(at(container, 'resources', 'requests', 'memory')).toBe('128Mi')
    expect(at(container, 'resources', 'limits', 'memory')).toBe('384Mi')
    expect(at(container, 'resources', 'requests', 'cpu')).toBeDefined()
    expect(deployment.text).toContain('BENCHMARKS.md')
  })

  it('runs the image that the kustomization sets', () => {
    const images = list(kustomization['images']).map((image) => image['name'])
    expect(images).toContain(container['image'])
    expect(list(container['args'])[0]).toBe('run')
  })

  describe('web configuration', () => {
    const webSecret = named('Secret', 'cratedb-cloud-exporter-web-config')
    const scrapeSecret = named('Secret', 'cratedb-cloud-exporter-scrape')
    const webConfigText = String(at(webSecret.body, 'stringData', 'web-config.yml'))
    const flag = list(container['args'])
      .map(String)
      .find((arg) => arg.startsWith('--web.config.file='))
    const configPath = flag?.slice('--web.config.file='.length) ?? ''
    /** The exporter's own loader, reading the file where the pod sees it from the Secret's data. */
    const load = (text: string): ReturnType<typeof loadWebConfig> =>
      loadWebConfig(configPath, (path) => {
        if (path !== configPath) throw new Error(`unexpected read of ${path}`)
        return text
      })

    it('mounts the Secret read-only as a directory and passes the file with --web.config.file', () => {
      const volume = list(at(pod, 'spec', 'volumes')).find(
        (candidate) => at(candidate, 'secret', 'secretName') === webSecret.name
      )
      expect(volume).toBeDefined()
      expect(at(volume, 'secret', 'defaultMode')).toBe(0o440)
      const items = list(at(volume, 'secret', 'items'))
      expect(items).toEqual([{ key: 'web-config.yml', path: 'web-config.yml' }])
      const mount = list(container['volumeMounts']).find((candidate) => candidate['name'] === volume!['name'])
      expect(mount?.['readOnly']).toBe(true)
      // With subPath a changed Secret would never reach the running pod's file.
      expect(mount?.['subPath']).toBeUndefined()
      expect(configPath).toBe(`${String(mount?.['mountPath'])}/web-config.yml`)
    })

    it('ships a placeholder hash that the exporter refuses, so the example cannot run unprotected', () => {
      expect(() => load(webConfigText)).toThrow(WebConfigError)
      expect(() => load(webConfigText)).toThrow(/basic_auth_users\.prometheus: must be a bcrypt hash/)
      expect(String(at(scrapeSecret.body, 'stringData', 'password'))).toMatch(/^REPLACE_WITH_/)
    })

    it('loads with a generated hash: basic auth for the scrape user, the probe paths open', () => {
      const password = 'example scrape password'
      const hash = bcrypt.hashSync(password, 4)
      const config = load(webConfigText.replace(/REPLACE_WITH_\w+/, hash))
      const user = String(at(scrapeSecret.body, 'stringData', 'username'))
      expect([...config.basicAuthUsers.keys()]).toEqual([user])
      expect(bcrypt.compareSync(password, config.basicAuthUsers.get(user)!)).toBe(true)
      // The kubelet sends no credentials: every httpGet probe path must be open.
      const probed = ['livenessProbe', 'readinessProbe', 'startupProbe']
        .map((probe) => at(container, probe, 'httpGet', 'path'))
        .filter((path) => path !== undefined)
      expect(probed.length).toBeGreaterThan(0)
      for (const path of probed) expect(config.unauthenticatedPaths).toContain(path)
      expect(config.unauthenticatedPaths).not.toContain('/metrics')
    })

    it('gives the ServiceMonitor the scrape user and password from the scrape Secret', () => {
      const endpoint = list(at(serviceMonitor.body, 'spec', 'endpoints'))[0]
      expect(at(endpoint, 'basicAuth')).toEqual({
        username: { name: scrapeSecret.name, key: 'username' },
        password: { name: scrapeSecret.name, key: 'password' }
      })
      // The exporter's pod gets the hash only, never the password.
      const mounted = list(at(pod, 'spec', 'volumes')).map((volume) => at(volume, 'secret', 'secretName'))
      expect(mounted).not.toContain(scrapeSecret.name)
    })
  })
})

const kubectl = externalTool('kubectl')

/** deploy/kubernetes-sharded as `kubectl kustomize` renders it (offline: no cluster needed). */
function renderSharded(): Manifest[] {
  const run = spawnSync(kubectl!, ['kustomize', join(REPO_ROOT, 'deploy', 'kubernetes-sharded')], {
    encoding: 'utf8',
    timeout: 60_000
  })
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  return parseYaml11(run.stdout, 'kubernetes-sharded').map((body) => ({
    file: 'kubernetes-sharded',
    text: run.stdout,
    kind: String(body['kind']),
    name: String(at(body, 'metadata', 'name')),
    body
  }))
}

describe.skipIf(kubectl === undefined)('deploy/kubernetes-sharded', () => {
  let rendered: Manifest[] = []
  beforeAll(() => {
    rendered = renderSharded()
  })
  const of = (kind: string): Manifest => {
    const found = rendered.filter((manifest) => manifest.kind === kind)
    expect(found, kind).toHaveLength(1)
    return found[0]!
  }

  it('replaces the Deployment with a StatefulSet and keeps the Secrets, policy, monitor and rules', () => {
    expect(rendered.map((manifest) => manifest.kind).sort()).toEqual([
      'NetworkPolicy',
      'PrometheusRule',
      'Secret',
      'Secret',
      'Secret',
      'Service',
      'ServiceMonitor',
      'StatefulSet'
    ])
    for (const manifest of rendered) expect(at(manifest.body, 'metadata', 'namespace')).toBe('monitoring')
  })

  it('runs --total-shards pods that take their ordinal from the pod name', () => {
    const statefulSet = of('StatefulSet')
    const replicas = at(statefulSet.body, 'spec', 'replicas')
    const shardedContainer = list(at(statefulSet.body, 'spec', 'template', 'spec', 'containers'))[0]!
    const args = shardedContainer['args'] as string[]
    expect(args).toContain(`--total-shards=${String(replicas)}`)
    expect(args).toContain('--shard.from-pod-name')
    expect(args.some((arg) => arg.startsWith('--shard='))).toBe(false)
    const podName = list(shardedContainer['env']).find((entry) => entry['name'] === 'POD_NAME')
    expect(at(podName, 'valueFrom', 'fieldRef', 'fieldPath')).toBe('metadata.name')
    expect(at(statefulSet.body, 'spec', 'podManagementPolicy')).toBe('Parallel')
  })

  it('governs the pods with a headless Service that the ServiceMonitor scrapes as job cratedb-cloud-exporter', () => {
    const statefulSet = of('StatefulSet')
    const headless = of('Service')
    expect(at(headless.body, 'spec', 'clusterIP')).toBe('None')
    expect(at(statefulSet.body, 'spec', 'serviceName')).toBe(headless.name)
    const podLabels = record(at(statefulSet.body, 'spec', 'template', 'metadata', 'labels'))
    expect(selects(record(at(statefulSet.body, 'spec', 'selector', 'matchLabels')), podLabels)).toBe(true)
    expect(selects(record(at(headless.body, 'spec', 'selector')), podLabels)).toBe(true)
    const monitor = of('ServiceMonitor')
    expect(
      selects(
        record(at(monitor.body, 'spec', 'selector', 'matchLabels')),
        record(at(headless.body, 'metadata', 'labels'))
      )
    ).toBe(true)
    // job = the Service's name, as the alert rules select
    expect(headless.name).toBe('cratedb-cloud-exporter')
    expect(at(monitor.body, 'spec', 'jobLabel')).toBeUndefined()
  })

  it('keeps the pod spec of the Deployment apart from the sharding (same probes, mounts, limits)', () => {
    const sharded = at(of('StatefulSet').body, 'spec', 'template', 'spec') as Json
    const single = at(pod, 'spec') as Json
    const strip = (spec: Json): Json => {
      const [first] = list(spec['containers'])
      const { args: _args, env, ...rest } = first!
      return {
        ...spec,
        containers: [{ ...rest, env: list(env).filter((entry) => entry['name'] !== 'POD_NAME') }]
      }
    }
    expect(strip(sharded)).toEqual(strip(single))
  })
})
