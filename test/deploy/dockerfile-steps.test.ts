/**
 * The Dockerfile, checked without a Docker engine: its instructions are read, its build replayed step by
 * step in a temporary directory (same COPYs honouring .dockerignore, same RUN commands, build stage then
 * runtime stage), and the result started as `docker run IMAGE demo` would start it, under the image's
 * Node.js major when it can be installed. Slow (two `npm ci`); npm runs with --prefer-offline.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/environment.js'
import { freePort } from '../helpers/free-port.js'
import { parseDockerfile } from './support/dockerfile-parse.js'
import { baseEnvironment, hostPath, replay, type StageResult } from './support/dockerfile-replay.js'
import { parseDockerignore } from './support/dockerignore.js'
import {
  hostNpmGlobalConfig,
  nodeBinDir,
  start,
  stop,
  waitForStatus,
  withNodeOnPath
} from './support/runtime.js'

const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'))
const ignore = parseDockerignore(readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8'))
const finalStage = dockerfile.stages.at(-1)!
const buildStage = dockerfile.stages[0]!
const runsOf = (stage: typeof finalStage): string[] =>
  stage.instructions.filter((step) => step.keyword === 'RUN').map((step) => step.rest)
const nodeMajor = Number(dockerfile.globalArgs.get('NODE_VERSION'))
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

describe('Dockerfile instructions', () => {
  it('builds in one stage and runs from a second on the same pinned Node.js major', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2)
    expect(nodeMajor).toBeGreaterThanOrEqual(22)
    expect(nodeMajor % 2).toBe(0) // even majors are the LTS lines
    for (const stage of dockerfile.stages) expect(stage.from).toBe('node:${NODE_VERSION}-slim')
  })

  it('installs everything to build, and production dependencies only in the final stage', () => {
    expect(runsOf(buildStage).some((run) => /\bnpm ci\b/.test(run) && !run.includes('--omit=dev'))).toBe(true)
    expect(runsOf(buildStage)).toContain('npm run build')
    expect(runsOf(finalStage).some((run) => /\bnpm ci\b.*--omit=dev/.test(run))).toBe(true)
    const copies = finalStage.instructions.filter((step) => step.keyword === 'COPY')
    expect(copies.find((step) => step.flags.get('from') === buildStage.name)?.rest).toBe('/app/dist ./dist')
  })

  it('never bakes a credential into the image', () => {
    for (const stage of dockerfile.stages) {
      for (const step of stage.instructions.filter((s) => s.keyword === 'ENV' || s.keyword === 'ARG')) {
        expect(step.rest).not.toMatch(/API_(KEY|SECRET)/)
      }
    }
  })

  it('keeps the build context small: no dependencies, build output, tests or git data', () => {
    for (const path of [
      'node_modules/fastify/package.json',
      'dist/cli.js',
      'test/deploy/x.ts',
      '.git/HEAD',
      '.env',
      'deploy/docker-compose.yml'
    ]) {
      expect(ignore.ignored(path), path).toBe(true)
    }
    for (const path of ['package.json', 'package-lock.json', 'src/cli.ts', 'src/cloud/api.ts']) {
      expect(ignore.ignored(path), path).toBe(false)
    }
  })
})

describe('Dockerfile build, replayed', () => {
  let workspace = ''
  let stages: StageResult[] = []
  let nodeBin: string | undefined
  const buildArgs = new Map([
    ['VERSION', '9.8.7-test'],
    ['REVISION', 'replayed-revision'],
    ['CREATED', '2025-01-01T00:00:00Z']
  ])

  beforeAll(() => {
    workspace = mkdtempSync(join(tmpdir(), 'cce-docker-replay-'))
    nodeBin = nodeBinDir(nodeMajor)
    const started = performance.now()
    stages = replay(dockerfile, {
      context: REPO_ROOT,
      ignore,
      workspace,
      buildArgs,
      runEnv: {
        PATH: withNodeOnPath(nodeBin),
        npm_config_prefer_offline: 'true',
        npm_config_update_notifier: 'false',
        // npm looks for its global npmrc beside the node binary; keep this machine's (registry, CA file).
        npm_config_globalconfig: hostNpmGlobalConfig()
      },
      log: (line) => console.log(line)
    })
    const steps = stages.flatMap((stage) =>
      stage.runs.map((run) => `${run.seconds.toFixed(1)}s ${run.command}`)
    )
    console.log(`replayed in ${((performance.now() - started) / 1000).toFixed(1)}s:\n  ${steps.join('\n  ')}`)
  }, 900_000)

  afterAll(() => {
    if (workspace !== '') rmSync(workspace, { recursive: true, force: true })
  })

  const runtime = (): StageResult => stages.at(-1)!
  const appDir = (): string => hostPath(runtime().root, runtime().workdir)

  it('leaves dist and production dependencies only in the final image', () => {
    expect(existsSync(join(appDir(), 'dist/cli.js'))).toBe(true)
    expect(existsSync(join(appDir(), 'src'))).toBe(false)
    for (const name of Object.keys(packageJson.dependencies)) {
      expect(existsSync(join(appDir(), 'node_modules', name, 'package.json')), name).toBe(true)
    }
    for (const name of ['typescript', 'vitest', 'eslint']) {
      expect(existsSync(join(appDir(), 'node_modules', name)), name).toBe(false)
    }
    expect(readdirSync(appDir()).sort()).toEqual([
      'dist',
      'node_modules',
      'package-lock.json',
      'package.json'
    ])
  })

  it('runs as a non-root numeric user, exposes 9863 and labels the image from build args', () => {
    const image = runtime()
    expect(image.user).toMatch(/^[1-9]\d*(:\d+)?$/)
    expect(image.exposed).toEqual(['9863'])
    expect(image.entrypoint).toEqual(['node', 'dist/cli.js'])
    expect(image.labels.get('org.opencontainers.image.version')).toBe('9.8.7-test')
    expect(image.labels.get('org.opencontainers.image.revision')).toBe('replayed-revision')
    expect(image.labels.get('org.opencontainers.image.created')).toBe('2025-01-01T00:00:00Z')
    expect(image.labels.get('org.opencontainers.image.licenses')).toBe('Apache-2.0')
    expect(image.env.get('CRATEDB_CLOUD_EXPORTER_REVISION')).toBe('replayed-revision')
    expect(image.healthcheck?.shell).toBe(false)
    expect(image.healthcheck?.command[0]).toBe('node')
    expect(image.healthcheck?.command.join(' ')).toContain('/healthz')
  })

  it('prints usage for --help as `docker run IMAGE --help`', () => {
    const image = runtime()
    const [, ...entry] = image.entrypoint!
    const result = spawnSync(
      nodeBin === undefined ? process.execPath : join(nodeBin, 'node'),
      [...entry, '--help'],
      {
        cwd: appDir(),
        env: { ...baseEnvironment(), ...Object.fromEntries(image.env) },
        encoding: 'utf8'
      }
    )
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('usage: cratedb-cloud-exporter')
  })

  it('serves /healthz, /readyz and /metrics in demo mode, and its HEALTHCHECK tells up from down', async () => {
    const image = runtime()
    const port = await freePort()
    const node = nodeBin === undefined ? process.execPath : join(nodeBin, 'node')
    // The image's own ENV, with the listen address moved to a free loopback port (as `-e` would).
    const env = {
      ...baseEnvironment(),
      ...Object.fromEntries(image.env),
      CRATEDB_CLOUD_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${port}`
    }
    const [, ...entry] = image.entrypoint!
    const demo = start(node, [...entry, 'demo'], { cwd: appDir(), env })
    const base = `http://127.0.0.1:${port}`
    const healthcheck = (): number | null => {
      const [, ...args] = image.healthcheck!.command
      return spawnSync(node, args, { cwd: appDir(), env, timeout: 10_000 }).status
    }
    try {
      await waitForStatus(`${base}/healthz`, 200, demo, 60_000)
      expect(healthcheck()).toBe(0)
      const ready = await fetch(`${base}/readyz`)
      expect([200, 503]).toContain(ready.status)
      await waitForStatus(`${base}/readyz`, 200, demo, 60_000)
      const metrics = await fetch(`${base}/metrics`)
      expect(metrics.status).toBe(200)
      const text = await metrics.text()
      const buildInfo = text.split('\n').find((line) => line.startsWith('cratedb_cloud_exporter_build_info{'))
      expect(buildInfo).toContain('revision="replayed-revision"')
      if (nodeBin !== undefined) expect(buildInfo).toContain(`nodejs_version="v${nodeMajor}.`)
      expect(text).toMatch(/^cratedb_cloud_cluster_info\{/m)
    } finally {
      const code = await stop(demo)
      console.log(`demo exited with ${code}`)
    }
    expect(healthcheck()).toBe(1)
  }, 120_000)
})
