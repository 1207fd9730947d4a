// The floor of the exporter's stack: fastify with a pino logger and prom-client's default metrics on a
// registry of their own, serving /metrics and nothing else. Logging is set up as the exporter sets it
// (JSON lines on stderr, ISO times, no per-request lines), so that the two differ by the exporter's work.
// Usage: node bench/lib/bare-fastify.js PORT [LOG_LEVEL]; prints "listening" on a line once it listens.
import process from 'node:process'
import Fastify, { LogController } from 'fastify'
import { pino } from 'pino'
import { collectDefaultMetrics, Registry } from 'prom-client'

const port = Number(process.argv[2] ?? 0)
const logger = pino(
  { level: process.argv[3] ?? 'info', base: null, timestamp: pino.stdTimeFunctions.isoTime },
  process.stderr
)
const registry = new Registry()
collectDefaultMetrics({ register: registry })
const app = Fastify({
  loggerInstance: logger,
  logController: new LogController({ disableRequestLogging: true })
})
app.get('/metrics', async (_request, reply) => {
  reply.type(registry.contentType)
  return registry.metrics()
})
await app.listen({ host: '127.0.0.1', port })
process.stdout.write('listening\n')
const stop = () => void app.close().then(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
