/** A command whose address is taken says so in one line, names the flag that sets it, and exits 2. */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/environment.js'

const CLI = resolve(REPO_ROOT, 'dist/cli.js')
let holder: Server
let busy = ''

beforeAll(async () => {
  if (!existsSync(CLI))
    spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'ignore' })
  holder = createServer()
  await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done))
  const address = holder.address()
  busy = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
})

afterAll(() => new Promise<void>((done) => holder.close(() => done())))

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
