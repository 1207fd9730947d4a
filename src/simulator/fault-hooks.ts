import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FaultAction, FaultEngine } from './faults.js'
import { sendError } from './routes/errors.js'

/**
 * Applies the fault rules to the API routes: statuses, latency and resets before anything else (as a
 * proxy in front of the API would), body damage (slow, truncated, malformed, oversize) on the way out.
 */

type BodyFault = Extract<FaultAction, { kind: 'slow' | 'truncate' | 'malformed' | 'oversize' | 'bad-200' }>

const bodyFaults = new WeakMap<FastifyRequest, BodyFault>()

const GATEWAY_BODY = (status: number): string =>
  `<html><head><title>${status}</title></head><body><center><h1>${status}</h1></center></body></html>\n`

async function applyEarly(action: FaultAction, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  switch (action.kind) {
    case 'status':
      if (action.status === 429) {
        if (action.retryAfterSeconds !== null)
          reply.header('retry-after', String(action.retryAfterSeconds ?? 30))
        await sendError(reply, 429)
      } else if (action.status === 500 || action.status === 403) await sendError(reply, action.status)
      else await reply.code(action.status).type('text/html').send(GATEWAY_BODY(action.status))
      return
    case 'redirect':
      await reply.code(302).header('location', action.location).send()
      return
    case 'reset':
      reply.hijack()
      request.raw.socket.destroy()
      return
    case 'no-content':
      await reply.code(204).send()
      return
    case 'slow':
    case 'truncate':
    case 'malformed':
    case 'oversize':
    case 'bad-200':
      bodyFaults.set(request, action)
      return
    case 'latency':
    case 'pass':
      return
  }
}

function toStream(payload: unknown): Readable {
  if (payload instanceof Readable) return payload
  if (payload === null || payload === undefined) return Readable.from([])
  return Readable.from([Buffer.from(typeof payload === 'string' ? payload : String(payload as Buffer))])
}

async function* slowly(source: Readable, delayMs: number): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    for (let i = 0; i < buffer.length; i += 1024) {
      await sleep(delayMs)
      yield buffer.subarray(i, i + 1024)
    }
  }
}

async function* padded(source: Readable, bytes: number, json: boolean): AsyncGenerator<Buffer> {
  const piece = Buffer.alloc(64 * 1024, json ? ' ' : '#')
  if (!json) piece[piece.length - 1] = 10
  for await (const chunk of source) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
  for (let sent = 0; sent < bytes; sent += piece.length) yield piece
}

const MAINTENANCE_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Scheduled maintenance</title></head>\n<body><h1>We will be back soon</h1></body></html>\n'

async function wholeBody(payload: unknown): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of toStream(payload))
    parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  return Buffer.concat(parts)
}

/** The body up to a few bytes before the end of its middle line: a value or timestamp cut short. */
function cutInsideLine(body: Buffer): Buffer {
  const newline = body.indexOf(10, Math.floor(body.length / 2))
  return body.subarray(0, Math.max(0, (newline === -1 ? body.length : newline) - 5))
}

async function badBody(
  fault: Extract<BodyFault, { kind: 'bad-200' }>,
  payload: unknown,
  reply: FastifyReply
) {
  reply.code(200)
  let body: Buffer
  switch (fault.body) {
    case 'garbage':
      body = Buffer.from('this is { not valid\n%%% neither is this\n')
      break
    case 'empty':
      body = Buffer.alloc(0)
      break
    case 'html':
      reply.type('text/html; charset=utf-8')
      body = Buffer.from(MAINTENANCE_PAGE)
      break
    case 'cut-line':
      body = cutInsideLine(await wholeBody(payload))
      break
  }
  reply.header('content-length', String(body.length))
  return body
}

function damage(fault: BodyFault, payload: unknown, reply: FastifyReply): unknown {
  const json = String(reply.getHeader('content-type') ?? '').includes('json')
  switch (fault.kind) {
    case 'bad-200':
      return badBody(fault, payload, reply)
    case 'slow':
      return Readable.from(slowly(toStream(payload), fault.chunkDelayMs))
    case 'oversize':
      reply.removeHeader('content-length')
      return Readable.from(padded(toStream(payload), fault.bytes, json))
    case 'malformed':
      if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
        const text = payload.toString()
        return json
          ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) + '"}}{,'
          : `this is { not valid\n${text}`
      }
      return Readable.from(
        (async function* () {
          yield Buffer.from('crate_ready{pod_name="broken" 1.0 0\nnot valid at all\n')
          for await (const chunk of toStream(payload)) yield chunk as Buffer
        })()
      )
    case 'truncate': {
      // Content-Length promises more than is sent; then the connection closes.
      const whole = typeof payload === 'string' || Buffer.isBuffer(payload) ? Buffer.from(payload) : null
      reply.header('content-length', String(whole === null ? 10 * 1024 ** 3 : whole.length))
      return Readable.from(
        (async function* () {
          if (whole !== null) yield whole.subarray(0, Math.floor(whole.length / 2))
          else for await (const chunk of toStream(payload)) yield chunk as Buffer
          throw new Error('simulated truncated body')
        })()
      )
    }
  }
}

export function registerFaultHooks(app: FastifyInstance, engine: FaultEngine): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return
    const path = request.url.split('?')[0] ?? request.url
    const { latencyMs, action } = engine.decide(request.routeOptions.url ?? '', path)
    if (latencyMs > 0) await sleep(latencyMs)
    if (action !== null) await applyEarly(action, request, reply)
  })
  app.addHook('onSend', async (request, reply, payload) => {
    const fault = bodyFaults.get(request)
    if (fault === undefined) return payload
    bodyFaults.delete(request)
    return await damage(fault, payload, reply)
  })
}
