import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createCloudClient } from '../../../src/cloud/client.js'
import { systemClock } from '../../../src/clock.js'
import { apiMetricsObserver } from '../../../src/engine/api-metrics.js'
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js'

let server: Server | undefined

afterEach(async () => {
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)))
  server = undefined
})

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler)
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function client(baseUrl: string) {
  return createCloudClient({
    baseUrl,
    credentials: [{ name: 'main', key: { value: 'some-key' }, secret: { value: 'some-secret' } }],
    requestTimeoutMs: 2000,
    maxResponseBytes: 1 << 20,
    maxConcurrency: 2,
    logger: pino({ level: 'silent' }),
    observer: apiMetricsObserver(
      createSelfMetrics({ registry: new Registry(), version: 'test', revision: 'test' })
    ),
    clock: systemClock,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 }
  })
}

describe('with its own undici agent on loopback', () => {
  it('sends the request over a kept-alive connection and closes cleanly', async () => {
    const seen: IncomingHttpHeaders[] = []
    const sockets = new Set<unknown>()
    const base = await serve((request, response) => {
      seen.push(request.headers)
      sockets.add(request.socket)
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify([{ id: 'o1', name: 'org', plan_type: 3 }]))
    })
    const api = client(base)
    expect(await api.organizations(AbortSignal.timeout(5000))).toEqual([
      { id: 'o1', name: 'org', plan_type: 3 }
    ])
    for (let i = 0; i < 4; i++) expect(await api.organizations(AbortSignal.timeout(5000))).toHaveLength(1)
    expect(seen[0]?.authorization).toBe('Basic c29tZS1rZXk6c29tZS1zZWNyZXQ=')
    expect(seen[0]?.connection).not.toBe('close')
    // Five requests, reused connections, never more than maxConcurrency of them.
    expect(sockets.size).toBeLessThanOrEqual(2)
    await api.close()
    await expect(api.organizations(AbortSignal.timeout(1000))).rejects.toMatchObject({ reason: 'network' })
  })

  it('a connection reset mid-body is network, and the retry gets a whole body', async () => {
    let calls = 0
    const base = await serve((_request, response) => {
      calls++
      if (calls === 1) {
        response.writeHead(200, { 'content-length': '1000', 'content-type': 'text/plain' })
        response.write('up 1\n')
        setTimeout(() => response.socket?.destroy(), 10)
        return
      }
      response.end('up 2\n')
    })
    const api = client(base)
    const bodies: string[] = []
    const text = await api.orgMetrics('o1', AbortSignal.timeout(5000), () => {
      let body = ''
      return {
        write: (chunk) => void (body += chunk.toString()),
        end: () => (bodies.push(body), body)
      }
    })
    expect(text).toBe('up 2\n')
    expect(calls).toBe(2)
    expect(api.usage()).toEqual({ requests: 2, errors: { network: 1 } })
    await api.close()
  })
})
