import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildServer, type ConnectionLimits } from '../../../src/server/build-server.js'
import { captureLogger, fakeView, testSelfMetrics } from './fake-view.js'

/** Raw sockets on 127.0.0.1 against the server's connection limits, set short for the test. */
let app: FastifyInstance | undefined
const sockets: Socket[] = []
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy()
  await app?.close()
  app = undefined
})

async function start(limits: Partial<ConnectionLimits>): Promise<number> {
  app = buildServer({
    view: fakeView(),
    logger: captureLogger('info').logger,
    telemetryPath: '/metrics',
    webConfig: null,
    selfMetrics: testSelfMetrics(),
    limits
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket))
    socket.once('error', reject)
    sockets.push(socket)
  })
}

/** Milliseconds until the server ends the connection (bounded by `within`), and what it sent. */
function closed(socket: Socket, started: number, within: number): Promise<{ ms: number; data: string }> {
  return new Promise((resolve) => {
    let data = ''
    socket.on('data', (chunk: Buffer) => (data += chunk.toString()))
    socket.on('error', () => undefined)
    const timer = setTimeout(() => resolve({ ms: Infinity, data }), within)
    socket.once('close', () => {
      clearTimeout(timer)
      resolve({ ms: performance.now() - started, data })
    })
  })
}

describe('connection limits', () => {
  it('cuts a client that sends its headers slowly at the configured headers timeout', async () => {
    const port = await start({ headersTimeoutMs: 600 })
    const socket = await open(port)
    const started = performance.now()
    socket.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    // one header byte every 100 ms, for at most 5 s: the connection never goes idle
    let sent = 0
    const trickle = setInterval(() => {
      if (socket.destroyed || sent++ > 50) clearInterval(trickle)
      else socket.write('X')
    }, 100)
    const result = await closed(socket, started, 5000)
    clearInterval(trickle)
    expect(result.ms).toBeGreaterThanOrEqual(550)
    expect(result.ms).toBeLessThan(1500)
    expect(result.data).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('closes connections beyond the configured cap as they arrive, and serves again once one is gone', async () => {
    const port = await start({ maxConnections: 3 })
    const held = await Promise.all([open(port), open(port), open(port)])
    await new Promise((resolve) => setTimeout(resolve, 100))
    const extra = await open(port)
    const started = performance.now()
    const result = await closed(extra, started, 3000)
    expect(result.ms).toBeLessThan(1000)
    expect(result.data).toBe('')

    held[0]?.destroy()
    await new Promise((resolve) => setTimeout(resolve, 100))
    const response = await fetch(`http://127.0.0.1:${port}/healthz`)
    expect(response.status).toBe(200)
  })
})
