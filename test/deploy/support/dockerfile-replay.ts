/**
 * Replays a parsed Dockerfile on this machine: every stage gets its own directory standing in for the
 * image's root filesystem, COPY takes files from the build context (honouring .dockerignore) or from an
 * earlier stage, RUN runs the same shell command in the mapped WORKDIR with the stage's ENV and ARGs.
 * What cannot be replayed (the base image itself, USER, EXPOSE) is recorded for the caller to check.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { basename, join, posix, relative } from 'node:path'
import {
  assignments,
  execForm,
  type ParsedDockerfile,
  type Stage,
  substitute,
  words
} from './dockerfile-parse.js'
import type { IgnoreMatcher } from './dockerignore.js'

export interface Healthcheck {
  readonly options: ReadonlyMap<string, string>
  readonly command: readonly string[]
  readonly shell: boolean
}

export interface StageResult {
  readonly name: string | undefined
  readonly from: string
  /** Host directory standing in for the stage's `/`. */
  readonly root: string
  /** Container path of the final WORKDIR. */
  readonly workdir: string
  readonly env: ReadonlyMap<string, string>
  readonly labels: ReadonlyMap<string, string>
  readonly user: string | undefined
  readonly exposed: readonly string[]
  readonly entrypoint: readonly string[] | undefined
  readonly cmd: readonly string[] | undefined
  readonly healthcheck: Healthcheck | undefined
  readonly runs: readonly { readonly command: string; readonly seconds: number }[]
}

export interface ReplayOptions {
  readonly context: string
  readonly ignore: IgnoreMatcher
  /** Temporary directory that receives one sub-directory per stage. */
  readonly workspace: string
  readonly buildArgs: ReadonlyMap<string, string>
  /** Added to every RUN's environment (PATH with the image's Node, npm_config_prefer_offline, ...). */
  readonly runEnv: NodeJS.ProcessEnv
  readonly log?: (line: string) => void
  /**
   * Lays out a stand-in for the base image's files under a stage's root before its first instruction
   * (the replay pulls no image), so that steps changing the base image's files have something to act on.
   */
  readonly baseImage?: (from: string, root: string) => void
}

/**
 * A clean environment, as in a container: nothing of the test runner's npm_* or NODE_ENV leaks in.
 * What the machine needs to reach the registry (proxy, extra CA certificates) is kept, as a Docker
 * build would get it through the daemon or build args.
 */
export function baseEnvironment(): NodeJS.ProcessEnv {
  const keep =
    /^(PATH|HOME|TMPDIR|LANG|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|(HTTPS?|NO|ALL)_PROXY)$/i
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => keep.test(name)))
}

export function hostPath(root: string, containerPath: string): string {
  return join(root, posix.resolve('/', containerPath))
}

export function replay(dockerfile: ParsedDockerfile, options: ReplayOptions): StageResult[] {
  const results: StageResult[] = []
  for (const stage of dockerfile.stages) results.push(replayStage(dockerfile, stage, results, options))
  return results
}

function replayStage(
  dockerfile: ParsedDockerfile,
  stage: Stage,
  earlier: readonly StageResult[],
  options: ReplayOptions
): StageResult {
  const globals = new Map<string, string>()
  for (const [name, value] of dockerfile.globalArgs) {
    const given = options.buildArgs.get(name) ?? value
    if (given !== undefined) globals.set(name, given)
  }
  const root = join(options.workspace, `stage-${stage.index}`)
  mkdirSync(root, { recursive: true })
  options.baseImage?.(substitute(stage.from, globals), root)
  const args = new Map<string, string>()
  const env = new Map<string, string>()
  const labels = new Map<string, string>()
  const exposed: string[] = []
  const runs: { command: string; seconds: number }[] = []
  let workdir = '/'
  let user: string | undefined
  let entrypoint: string[] | undefined
  let cmd: string[] | undefined
  let healthcheck: Healthcheck | undefined
  const variables = (): Map<string, string> => new Map([...args, ...env])

  for (const instruction of stage.instructions) {
    const where = `Dockerfile line ${instruction.line} (${instruction.keyword})`
    const rest = instruction.rest
    switch (instruction.keyword) {
      case 'ARG': {
        const [name = '', ...value] = rest.split('=')
        const fallback =
          value.length > 0 ? words(value.join('='), variables()).join(' ') : globals.get(name.trim())
        const given = options.buildArgs.get(name.trim()) ?? fallback
        if (given !== undefined) args.set(name.trim(), given)
        break
      }
      case 'ENV':
        for (const [key, value] of assignments(rest, variables())) env.set(key, value)
        break
      case 'LABEL':
        for (const [key, value] of assignments(rest, variables())) labels.set(key, value)
        break
      case 'WORKDIR':
        workdir = posix.resolve(workdir, substitute(rest, variables()))
        mkdirSync(hostPath(root, workdir), { recursive: true })
        break
      case 'USER':
        user = substitute(rest, variables())
        break
      case 'EXPOSE':
        exposed.push(...words(rest, variables()))
        break
      case 'ENTRYPOINT':
        entrypoint = execForm(rest) ?? ['/bin/sh', '-c', rest]
        break
      case 'CMD':
        cmd = execForm(rest) ?? ['/bin/sh', '-c', rest]
        break
      case 'HEALTHCHECK': {
        const match = /^CMD\s+(.*)$/is.exec(rest)
        if (match === null) throw new Error(`${where}: only HEALTHCHECK [options] CMD ... is replayed`)
        const exec = execForm(match[1] ?? '')
        healthcheck = {
          options: instruction.flags,
          command: exec ?? ['/bin/sh', '-c', match[1] ?? ''],
          shell: exec === undefined
        }
        break
      }
      case 'COPY':
        copy(instruction.flags, rest, { root, workdir, variables: variables(), earlier, options, where })
        break
      case 'RUN': {
        const exec = execForm(rest)
        const started = performance.now()
        options.log?.(`[stage ${stage.name ?? stage.index}] RUN ${rest}`)
        const result = spawnSync(exec?.[0] ?? 'sh', exec === undefined ? ['-c', rest] : exec.slice(1), {
          cwd: hostPath(root, workdir),
          env: {
            ...baseEnvironment(),
            ...Object.fromEntries(args),
            ...Object.fromEntries(env),
            ...options.runEnv
          },
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024
        })
        runs.push({ command: rest, seconds: (performance.now() - started) / 1000 })
        if (result.status !== 0) {
          throw new Error(
            `${where} failed (exit ${result.status}): ${rest}\n${result.stdout}\n${result.stderr}`
          )
        }
        break
      }
      case 'STOPSIGNAL':
        break
      default:
        throw new Error(
          `${where}: the replay does not know ${instruction.keyword}; teach test/deploy/support about it`
        )
    }
  }
  return {
    name: stage.name,
    from: substitute(stage.from, globals),
    root,
    workdir,
    env,
    labels,
    user,
    exposed,
    entrypoint,
    cmd,
    healthcheck,
    runs
  }
}

interface CopyContext {
  readonly root: string
  readonly workdir: string
  readonly variables: ReadonlyMap<string, string>
  readonly earlier: readonly StageResult[]
  readonly options: ReplayOptions
  readonly where: string
}

function copy(flags: ReadonlyMap<string, string>, rest: string, context: CopyContext): void {
  const parts = execForm(rest) ?? words(rest, context.variables)
  const destination = parts.pop()
  if (destination === undefined || parts.length === 0)
    throw new Error(`${context.where}: COPY needs a source and a destination`)
  const target = hostPath(context.root, posix.resolve(context.workdir, destination))
  const intoDirectory = destination.endsWith('/') || parts.length > 1
  const from = flags.get('from')
  for (const source of parts) {
    if (/[*?[]/.test(source))
      throw new Error(`${context.where}: wildcards in COPY are not replayed (${source})`)
    if (from !== undefined) {
      const stage = context.earlier.find(
        (candidate) => candidate.name === from || String(context.earlier.indexOf(candidate)) === from
      )
      if (stage === undefined) throw new Error(`${context.where}: no earlier stage named ${from}`)
      const path = hostPath(stage.root, posix.resolve(stage.workdir, source))
      if (!existsSync(path)) throw new Error(`${context.where}: ${source} does not exist in stage ${from}`)
      place(path, target, intoDirectory, () => false)
    } else {
      const normalized = posix.normalize(source).replace(/^(\.\/|\/)+/, '')
      const path = join(context.options.context, normalized)
      if (!existsSync(path) || (normalized !== '.' && context.options.ignore.ignored(normalized))) {
        throw new Error(
          `${context.where}: ${source} is not in the build context (missing or excluded by .dockerignore)`
        )
      }
      const ignore = (file: string): boolean => {
        const rel = relative(context.options.context, file).split('\\').join('/')
        return rel !== '' && context.options.ignore.ignored(rel)
      }
      place(path, target, intoDirectory, ignore)
    }
  }
}

/** Docker copies a directory's contents (not the directory) and a file to the path or into the directory. */
function place(
  source: string,
  target: string,
  intoDirectory: boolean,
  ignored: (path: string) => boolean
): void {
  if (statSync(source).isDirectory()) {
    mkdirSync(target, { recursive: true })
    for (const entry of readdirSync(source)) {
      const child = join(source, entry)
      if (ignored(child)) continue
      cpSync(child, join(target, entry), { recursive: true, filter: (path) => !ignored(path) })
    }
    return
  }
  const file =
    intoDirectory || (existsSync(target) && statSync(target).isDirectory())
      ? join(target, basename(source))
      : target
  mkdirSync(join(file, '..'), { recursive: true })
  cpSync(source, file)
}
