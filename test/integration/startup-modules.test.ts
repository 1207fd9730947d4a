/**
 * What `run` loads before it listens: not the other commands, the autopilot or parsers that a run
 * without files never uses (each costs every start memory and time). The listen address is taken, so the
 * process exits as soon as it has built everything and tried to listen.
 */
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, REPO_ROOT, ensureBuiltCli } from '../helpers/environment.js'
import { holdPort } from '../helpers/free-port.js'

const PRELOAD = resolve(REPO_ROOT, 'test/fixtures/startup/loaded-modules.js')
let holder: Awaited<ReturnType<typeof holdPort>>
let busy = ''

beforeAll(async () => {
  ensureBuiltCli()
  holder = await holdPort()
  busy = holder.address
})

afterAll(() => holder.release())

describe('the modules run loads', () => {
  it('are those of the exporter alone', () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CRATEDB_CLOUD_API_KEY: 'k',
      CRATEDB_CLOUD_API_SECRET: 's'
    }
    for (const name of ['CRATEDB_CLOUD_API_KEY_FILE', 'CRATEDB_CLOUD_API_SECRET_FILE', 'NODE_OPTIONS'])
      delete env[name]
    const result = spawnSync(
      process.execPath,
      [`--import=${PRELOAD}`, CLI, 'run', `--web.listen-address=${busy}`, '--api.url=http://127.0.0.1:1'],
      { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 30_000 }
    )
    expect(result.stderr).toContain('[CCE_LISTEN]')
    const loaded = [...result.stderr.matchAll(/^loaded (\S+)$/gm)].map((match) => match[1] ?? '')
    // Guards the preload: what run needs is seen, ES modules and CommonJS packages alike.
    for (const needed of [
      '/dist/engine/start.js',
      '/node_modules/fastify/fastify.js',
      '/dist/cloud/agent.js'
    ])
      expect(loaded.some((url) => url.endsWith(needed))).toBe(true)
    const unwanted = loaded.filter((url) =>
      [
        /\/dist\/(simulator|autopilot)\//,
        /\/dist\/commands\/(demo|simulate)\.js$/,
        /\/node_modules\/(yaml|bcryptjs|ajv|@fastify\/ajv-compiler)\//,
        /\/node_modules\/(undici|fast-json-stringify)\/index\.js$/
      ].some((pattern) => pattern.test(url))
    )
    expect([...new Set(unwanted)]).toEqual([])
  })
})
