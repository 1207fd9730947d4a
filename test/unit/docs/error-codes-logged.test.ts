/**
 * Every error code the README documents shows where it says: the API codes in the log line of the failed
 * poll and in /status's collector entry, the start-up codes in the line printed before exit code 2.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../../src/cli.js'
import { API_ERROR_REASONS, CloudApiError } from '../../../src/cloud/errors.js'
import { systemClock } from '../../../src/clock.js'
import { createRunner } from '../../../src/engine/scheduler.js'
import { createLogger } from '../../../src/logger.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'
import { REPO_ROOT } from '../../helpers/environment.js'

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('## Development'))
const documented = [...section.matchAll(/`(CCE_[A-Z_]+)`/g)].map((match) => match[1]!)
/** Codes the README places outside the exporter's logs: inside the client, in the simulator, in a script. */
const ELSEWHERE = ['CCE_SCHEMA', 'CCE_SIM_FAULT_SPEC', 'CCE_SIM_BAD_REQUEST', 'CCE_DEPLOY_RULE_FILES']

function sink(): { stream: Writable; text: () => string } {
  let text = ''
  const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done())
  })
  return { stream, text: () => text }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
  expect(condition()).toBe(true)
}

describe('documented error codes', () => {
  it('are the API codes, the start-up codes and the ones placed elsewhere', () => {
    const api = API_ERROR_REASONS.map((reason) => `CCE_API_${reason.toUpperCase()}`)
    expect(new Set(documented)).toEqual(
      new Set([...api, 'CCE_USAGE', 'CCE_CONFIG', 'CCE_WEB_CONFIG', 'CCE_LISTEN', ...ELSEWHERE])
    )
  })

  for (const reason of API_ERROR_REASONS) {
    const code = `CCE_API_${reason.toUpperCase()}`
    it(`${code} is logged with the failed poll and shown in the collector's status`, async () => {
      const log = sink()
      const runner = createRunner({
        logger: createLogger({ level: 'warn', format: 'json', destination: log.stream }),
        clock: systemClock,
        metrics: createSelfMetrics({ registry: new Registry(), version: 't', revision: 't' }),
        maxStalenessIntervals: 3,
        onRunEnd: () => undefined,
        random: () => 0
      })
      runner.add(
        {
          name: 'inventory',
          organizationId: '',
          collect: () => Promise.reject(new CloudApiError(`failed: ${reason}`, { reason, endpoint: '/x' }))
        },
        { enabled: true, intervalSeconds: 60, timeoutSeconds: 1 },
        0
      )
      await until(() => log.text() !== '')
      await runner.stop()
      const line = JSON.parse(log.text().split('\n')[0]!) as Record<string, unknown>
      expect(line).toMatchObject({ code, reason, msg: `collection failed: failed: ${reason}` })
      expect(runner.statuses()[0]).toMatchObject({ lastErrorCode: code, lastErrorReason: reason })
    })
  }
})

describe('start-up codes in the line printed before exit code 2', () => {
  let holder: Server
  let busy = ''
  beforeAll(async () => {
    holder = createServer()
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done))
    const address = holder.address()
    busy = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  })
  afterAll(() => new Promise<void>((done) => holder.close(() => done())))

  async function stderrOf(argv: string[]): Promise<string> {
    const out = sink()
    const err = sink()
    const env = { CRATEDB_CLOUD_API_KEY: 'k', CRATEDB_CLOUD_API_SECRET: 's' }
    const io = { env, stdout: out.stream, stderr: err.stream, isTty: false }
    expect(await main(argv, { ...io, shutdownSignal: AbortSignal.abort() })).toBe(2)
    return err.text()
  }

  it.each([
    ['CCE_USAGE', () => ['run', '--no-such-flag']],
    ['CCE_CONFIG', () => ['run', '--log.level=loud']],
    ['CCE_WEB_CONFIG', () => ['run', `--web.config.file=${join(REPO_ROOT, 'no-such-web-config.yml')}`]],
    ['CCE_LISTEN', () => ['run', `--web.listen-address=${busy}`, '--api.url=http://127.0.0.1:1']]
  ])('%s', async (code, argv) => {
    expect(await stderrOf(argv())).toMatch(new RegExp(`^cratedb-cloud-exporter run: \\[${code}\\] `))
  })
})
