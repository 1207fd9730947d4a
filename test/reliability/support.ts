import { spawnSync } from 'node:child_process'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parsePromText, type ParsedPromText } from '../../src/prom-text/index.js'
import { externalTool } from '../helpers/environment.js'
import type { RunningSimulator } from '../helpers/simulator.js'

export const ORG_METRICS_ROUTE = '/api/v2/organizations/{organization_id}/metrics/prometheus/'
export const CLUSTERS_ROUTE = '/api/v2/organizations/{organization_id}/clusters/'

/** Counts the API requests the simulator receives, by route template, through its fault engine's hook. */
export interface CallCounter {
  count(route: string): number
  total(): number
}

export function countCalls(sim: RunningSimulator): CallCounter {
  const counts = new Map<string, number>()
  const engine = sim.state.faultEngine
  const decide = engine.decide.bind(engine)
  // The fault hook asks the engine once per /api/ request, before authentication: a faithful count.
  engine.decide = (route, path) => {
    counts.set(route, (counts.get(route) ?? 0) + 1)
    return decide(route, path)
  }
  const normalise = (route: string): string => route.replace(/\{([A-Za-z_]\w*)\}/g, ':$1')
  return {
    count: (route) => counts.get(normalise(route)) ?? counts.get(route) ?? 0,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0)
  }
}

/** The exposition, parsed, with lookups by name and label subset. */
export interface Scraped {
  readonly text: string
  readonly parsed: ParsedPromText
  value(name: string, match?: Record<string, string>): number | undefined
  series(name: string, match?: Record<string, string>): Record<string, string>[]
}

export function readExposition(text: string): Scraped {
  const parsed = parsePromText(text)
  const select = (name: string, match: Record<string, string>) =>
    parsed.samples.filter(
      (sample) =>
        sample.name === name &&
        Object.entries(match).every(([label, value]) => sample.labels[label] === value)
    )
  return {
    text,
    parsed,
    value(name, match = {}) {
      const found = select(name, match)
      if (found.length > 1)
        throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(match)}`)
      return found[0]?.value
    },
    series: (name, match = {}) => select(name, match).map((sample) => ({ ...sample.labels }))
  }
}

export async function scrapeExposition(baseUrl: string, path = '/metrics'): Promise<Scraped> {
  const response = await fetch(`${baseUrl}${path}`)
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`)
  return readExposition(await response.text())
}

const promtool = externalTool('promtool')

/** `promtool check metrics` on an exposition; null when promtool is not installed (the check skips). */
export function promtoolCheck(text: string): { status: number | null; output: string } | null {
  if (promtool === undefined) return null
  const result = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' })
  return { status: result.status, output: `${result.stdout}${result.stderr}` }
}

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage['headers']
}

export interface LocalServer {
  readonly url: string
  readonly requests: RecordedRequest[]
  close(): Promise<void>
}

/** An HTTP server on 127.0.0.1 that records every request and answers 404: a place nothing should reach. */
export async function startLocalServer(): Promise<LocalServer> {
  const requests: RecordedRequest[] = []
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers })
    response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
