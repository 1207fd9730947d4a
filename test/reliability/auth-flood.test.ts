import { spawn } from 'node:child_process'
import { request } from 'node:http'
import bcrypt from 'bcryptjs'
import { afterAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildServer } from '../../src/server/build-server.js'
import { parseWebConfig } from '../../src/server/web-config.js'
import { captureLogger, fakeView, testSelfMetrics } from '../unit/server/fake-view.js'

/**
 * Wrong passwords sent steadily from one address must not starve a scrape with the right password from
 * another. The flood, from its own process: 25 requests/s over up to 64 keep-alive sockets from
 * 127.0.0.2, for 4 s, against bcrypt cost 10 (the cost htpasswd -B uses). Meanwhile three scrapes from
 * 127.0.0.1, each with credentials not yet cached (three users), must answer 200 within 1 s, or within
 * four times the same scrape without the flood when the machine is so loaded that one such scrape takes
 * more than 250 ms (a comparison takes about 75 ms on an idle core).
 */
const FLOOD_RATE_PER_SECOND = 25
const FLOOD_SECONDS = 4
const SCRAPES_AT_MS = [1000, 2000, 3000]

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

/** Sends the flood at a fixed rate (catching up on late ticks), prints the answers' status counts. */
const FLOOD_SCRIPT = `
import { Agent, request } from 'node:http'
const [port, rate, seconds, authorization] = process.argv.slice(1)
const total = Number(rate) * Number(seconds)
const agent = new Agent({ keepAlive: true, maxSockets: 64 })
const counts = {}
let sent = 0
let done = 0
const started = performance.now()
const finish = () => { agent.destroy(); process.stdout.write(JSON.stringify(counts)); process.exit(0) }
setTimeout(finish, (Number(seconds) + 15) * 1000).unref()
const timer = setInterval(() => {
  const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * Number(rate)))
  for (; sent < due; sent++) {
    const req = request({ host: '127.0.0.1', port: Number(port), path: '/metrics', agent,
      localAddress: '127.0.0.2', headers: { authorization } }, (res) => {
      res.resume()
      res.once('end', () => { counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1; if (++done === total) finish() })
    })
    req.once('error', () => { counts.error = (counts.error ?? 0) + 1; if (++done === total) finish() })
    req.end()
  }
  if (sent === total) clearInterval(timer)
}, 1000 / Number(rate))
`

function flood(port: number, authorization: string): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        FLOOD_SCRIPT,
        String(port),
        String(FLOOD_RATE_PER_SECOND),
        String(FLOOD_SECONDS),
        authorization
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', reject)
    child.once('exit', () => {
      try {
        resolve(JSON.parse(output) as Record<string, number>)
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)))
      }
    })
  })
}

function get(port: number, authorization: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/metrics', headers: { authorization }, agent: false },
      (response) => {
        response.resume()
        response.once('end', () => resolve(response.statusCode ?? 0))
      }
    )
    req.setTimeout(20_000, () => req.destroy())
    req.once('error', () => resolve(0))
    req.end()
  })
}

describe('basic auth under a flood of wrong passwords', () => {
  let app: FastifyInstance | undefined
  afterAll(async () => {
    await app?.close()
  })

  it('answers a scrape with valid, uncached credentials within 1 s (on a machine that is not overloaded)', async () => {
    const users = ['attacked', 'warm-up', 'baseline', 'prometheus-1', 'prometheus-2', 'prometheus-3']
    const yaml = `basic_auth_users:\n${users.map((u) => `  ${u}: ${bcrypt.hashSync(`${u}-password`, 10)}`).join('\n')}\n`
    const { logger } = captureLogger('info')
    app = buildServer({
      view: fakeView(),
      logger,
      telemetryPath: '/metrics',
      webConfig: parseWebConfig(yaml, '/web.yml', () => Buffer.alloc(0)),
      selfMetrics: testSelfMetrics()
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    const port = address.port

    // the first request pays for compiling the server's code paths; the baseline is the second
    expect(await get(port, basic('warm-up', 'warm-up-password'))).toBe(200)
    const baselineStarted = performance.now()
    expect(await get(port, basic('baseline', 'baseline-password'))).toBe(200)
    const baselineMs = performance.now() - baselineStarted
    const boundMs = Math.max(1000, 4 * baselineMs)

    const flooding = flood(port, basic('attacked', 'wrong'))
    const scrapes = SCRAPES_AT_MS.map(
      (at, index) =>
        new Promise<{ status: number; ms: number }>((resolve) => {
          setTimeout(() => {
            const started = performance.now()
            void get(port, basic(`prometheus-${index + 1}`, `prometheus-${index + 1}-password`)).then(
              (status) => resolve({ status, ms: performance.now() - started })
            )
          }, at)
        })
    )
    const results = await Promise.all(scrapes)
    const counts = await flooding

    console.log(
      `baseline ${baselineMs.toFixed(0)} ms, bound ${boundMs.toFixed(0)} ms; flood answers ${JSON.stringify(counts)}; scrapes ${results.map((r) => `${r.status} in ${r.ms.toFixed(0)} ms`).join(', ')}`
    )
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(FLOOD_RATE_PER_SECOND * FLOOD_SECONDS)
    expect(Object.keys(counts).every((status) => ['401', '429', '503'].includes(status))).toBe(true)
    for (const result of results) {
      expect(result.status).toBe(200)
      expect(result.ms).toBeLessThan(boundMs)
    }
  }, 40_000)
})
