/**
 * The Dockerfile, checked without a Docker engine: its instructions are read, its build replayed step by
 * step in a temporary directory (same COPYs honouring .dockerignore, same RUN commands, build stage then
 * runtime stage), and the result started as `docker run IMAGE demo` would start it, under the image's
 * Node.js major when it can be installed. Slow (two `npm ci`); npm runs with --prefer-offline.
 */
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
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
const baseImage = dockerfile.globalArgs.get('NODE_IMAGE') ?? ''
const nodeMajor = Number(/^node:(\d+)-/.exec(baseImage)?.[1])
const dependenciesStage = dockerfile.stages.find((stage) => stage.name === 'dependencies')
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

describe('Dockerfile instructions', () => {
  it('takes every stage from the NODE_IMAGE build argument, an LTS Node.js on a named Debian', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2)
    // A digest can be given at build time; the default names the distribution so it does not move.
    expect(baseImage).toMatch(/^node:\d+-bookworm-slim$/)
    expect(nodeMajor).toBeGreaterThanOrEqual(22)
    expect(nodeMajor % 2).toBe(0) // even majors are the LTS lines
    for (const stage of dockerfile.stages) expect(stage.from).toBe('${NODE_IMAGE}')
  })

  it('installs everything to build, production dependencies apart, and runs no npm in the final stage', () => {
    expect(runsOf(buildStage).some((run) => /\bnpm ci\b/.test(run) && !run.includes('--omit=dev'))).toBe(true)
    expect(runsOf(buildStage)).toContain('npm run build')
    expect(dependenciesStage).toBeDefined()
    expect(runsOf(dependenciesStage!).some((run) => /\bnpm ci\b.*--omit=dev/.test(run))).toBe(true)
    expect(runsOf(finalStage).filter((run) => /\bnpm\s+(ci|install|run|cache)\b/.test(run))).toEqual([])
    const copies = finalStage.instructions.filter((step) => step.keyword === 'COPY')
    expect(copies.find((step) => step.flags.get('from') === buildStage.name)?.rest).toBe('/app/dist ./dist')
    expect(copies.find((step) => step.flags.get('from') === 'dependencies')?.rest).toBe(
      '/app/node_modules ./node_modules'
    )
  })

  it('removes package managers with paths relative to /, never absolute ones', () => {
    const removal = runsOf(finalStage).filter((run) => /\brm\b/.test(run))
    expect(removal).toHaveLength(1)
    // An absolute path here would delete the replaying machine's own npm.
    expect(removal[0]).not.toMatch(/\s\/(usr|opt)\b/)
    const index = finalStage.instructions.findIndex(
      (step) => step.keyword === 'RUN' && /\brm\b/.test(step.rest)
    )
    const workdirs = finalStage.instructions.slice(0, index).filter((step) => step.keyword === 'WORKDIR')
    expect(workdirs.at(-1)?.rest).toBe('/')
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
  // A digest-pinned base image, as docs/deployment.md describes; the digest is a placeholder.
  const pinned = `${baseImage}@sha256:${'0'.repeat(64)}`
  const buildArgs = new Map([
    ['NODE_IMAGE', pinned],
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
      log: (line) => console.log(line),
      baseImage: (from, root) => {
        expect(from).toBe(pinned)
        layOutNodeImage(root, nodeBin === undefined ? process.execPath : join(nodeBin, 'node'))
      }
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
  /** The image's PATH directories, as they are in the final stage's root. */
  const imagePath = (): string =>
    ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']
      .map((dir) => hostPath(runtime().root, dir))
      .join(delimiter)

  it('starts every stage from the NODE_IMAGE given at build time', () => {
    for (const stage of stages) expect(stage.from).toBe(pinned)
  })

  it('keeps node and drops npm, npx, corepack and yarn from the final image only', () => {
    const exists = (root: string, path: string): boolean => {
      try {
        lstatSync(hostPath(root, path))
        return true
      } catch {
        return false
      }
    }
    const managers = [
      '/usr/local/bin/npm',
      '/usr/local/bin/npx',
      '/usr/local/bin/corepack',
      '/usr/local/bin/yarn',
      '/usr/local/bin/yarnpkg',
      '/usr/local/lib/node_modules/npm',
      '/usr/local/lib/node_modules/corepack',
      '/opt/yarn-v1.22.22'
    ]
    // The stand-in was laid out in every stage; the build stages keep it.
    for (const path of managers) expect(exists(stages[0]!.root, path), path).toBe(true)
    for (const path of managers) expect(exists(runtime().root, path), path).toBe(false)
    expect(exists(runtime().root, '/usr/local/bin/node')).toBe(true)
    expect(readdirSync(hostPath(runtime().root, '/usr/local/lib/node_modules'))).toEqual([])
  })

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
    // `node` as the image resolves it, with only the image's own directories on PATH.
    const result = spawnSync(image.entrypoint![0]!, [...entry, '--help'], {
      cwd: appDir(),
      env: { ...baseEnvironment(), ...Object.fromEntries(image.env), PATH: imagePath() },
      encoding: 'utf8'
    })
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('usage: cratedb-cloud-exporter')
  })

  it('serves /healthz, /readyz and /metrics in demo mode, and its HEALTHCHECK tells up from down', async () => {
    const image = runtime()
    const port = await freePort()
    // The image's own ENV, with the listen address moved to a free loopback port (as `-e` would), and
    // a PATH of the image's directories only: no npm there, so nothing below can lean on it.
    const env = {
      ...baseEnvironment(),
      ...Object.fromEntries(image.env),
      PATH: imagePath(),
      CRATEDB_CLOUD_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${port}`
    }
    expect(spawnSync('npm', ['--version'], { env }).error).toBeDefined()
    const [node, ...entry] = image.entrypoint!
    const demo = start(node!, [...entry, 'demo'], { cwd: appDir(), env })
    const base = `http://127.0.0.1:${port}`
    const healthcheck = (): number | null => {
      const [command, ...args] = image.healthcheck!.command
      return spawnSync(command!, args, { cwd: appDir(), env, timeout: 10_000 }).status
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

/**
 * What the official Node.js images put under /usr/local and /opt, as far as the Dockerfile acts on it:
 * node itself (a link to the Node.js the replay runs) and the package managers beside it (small
 * stand-ins with the same paths and links).
 */
function layOutNodeImage(root: string, node: string): void {
  const at = (path: string): string => hostPath(root, path)
  mkdirSync(at('/usr/local/bin'), { recursive: true })
  symlinkSync(node, at('/usr/local/bin/node'))
  for (const [name, cli] of [
    ['npm', 'bin/npm-cli.js'],
    ['corepack', 'dist/corepack.js']
  ] as const) {
    mkdirSync(join(at(`/usr/local/lib/node_modules/${name}`), cli, '..'), { recursive: true })
    writeFileSync(at(`/usr/local/lib/node_modules/${name}/package.json`), JSON.stringify({ name }))
    writeFileSync(at(`/usr/local/lib/node_modules/${name}/${cli}`), '')
    symlinkSync(`../lib/node_modules/${name}/${cli}`, at(`/usr/local/bin/${name}`))
  }
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', at('/usr/local/bin/npx'))
  mkdirSync(at('/opt/yarn-v1.22.22/bin'), { recursive: true })
  writeFileSync(at('/opt/yarn-v1.22.22/bin/yarn'), '')
  symlinkSync('/opt/yarn-v1.22.22/bin/yarn', at('/usr/local/bin/yarn'))
  symlinkSync('/opt/yarn-v1.22.22/bin/yarn', at('/usr/local/bin/yarnpkg'))
}
