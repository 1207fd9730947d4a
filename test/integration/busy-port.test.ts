/** A command whose address is taken says so in one line, names the flag that sets it, and exits 2. */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, REPO_ROOT, ensureBuiltCli } from '../helpers/environment.js'
import { holdPort } from '../helpers/free-port.js'

let holder: Awaited<ReturnType<typeof holdPort>>
let busy = ''

beforeAll(async () => {
  ensureBuiltCli()
  holder = await holdPort()
  busy = holder.address
})

afterAll(() => holder.release())

function cli(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, CRATEDB_CLOUD_API_KEY: 'k', CRATEDB_CLOUD_API_SECRET: 's' }
  delete env['CRATEDB_CLOUD_API_KEY_FILE']
  delete env['CRATEDB_CLOUD_API_SECRET_FILE']
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 20_000
  })
}

describe('a busy listen address', () => {
  const cases: [string, () => string[], string][] = [
    [
      'run',
      () => ['run', `--web.listen-address=${busy}`, '--api.url=http://127.0.0.1:1'],
      '--web.listen-address'
    ],
    ['demo (exporter)', () => ['demo', `--web.listen-address=${busy}`], '--web.listen-address'],
    ['demo (simulator)', () => ['demo', `--simulator.listen-address=${busy}`], '--simulator.listen-address'],
    ['simulate', () => ['simulate', `--listen-address=${busy}`], '--listen-address']
  ]
  for (const [name, args, flag] of cases)
    it(`${name}: one line naming the address and ${flag}, exit code 2`, () => {
      const result = cli(args())
      const command = args()[0]!
      expect(result.stderr).toBe(
        `cratedb-cloud-exporter ${command}: [CCE_LISTEN] cannot listen on ${busy}: the address is already in use; ` +
          `choose another with ${flag}=HOST:PORT\n`
      )
      expect(result.status).toBe(2)
    })
})
