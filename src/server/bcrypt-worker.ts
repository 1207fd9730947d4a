import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * bcrypt comparisons on a worker thread. A comparison costs tens of milliseconds of CPU; on the main
 * thread, even in bcryptjs' async chunks, that delays every request the server is reading meanwhile,
 * scrapes included. One worker per lane for the process, created ahead of use and never keeping it
 * alive; each runs one comparison at a time (the caller queues them, auth-admission.ts). Should the worker fail, the
 * comparison runs on the main thread rather than fail the request.
 */

// The worker is evaluated from a string (CommonJS), so that the same code runs from src/ under the test
// runner and from dist/; bcryptjs is required by its resolved path.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const bcrypt = require(${JSON.stringify(createRequire(import.meta.url).resolve('bcryptjs'))})
parentPort.on('message', ({ id, password, hash }) => {
  let ok = false
  try { ok = bcrypt.compareSync(password, hash) } catch { ok = false }
  parentPort.postMessage({ id, ok })
})
`

type Pending = Map<number, (ok: boolean) => void>

interface Slot {
  thread: Worker
  pending: Pending
}

/** One worker per lane of auth-admission.ts, so that a suspect's comparison never delays a scrape's. */
const workers = new Map<string, Slot>()
let nextId = 0

function start(lane: string): Slot {
  const thread = new Worker(WORKER_SOURCE, { eval: true })
  const pending: Pending = new Map()
  const current = { thread, pending }
  thread.unref()
  thread.on('message', ({ id, ok }: { id: number; ok: boolean }) => {
    const resolve = pending.get(id)
    pending.delete(id)
    resolve?.(ok)
  })
  const fail = (): void => {
    if (workers.get(lane) === current) workers.delete(lane)
    for (const resolve of pending.values()) resolve(false)
    pending.clear()
  }
  thread.once('error', fail)
  thread.once('exit', fail)
  return current
}

/** Starts the worker ahead of the first comparison, which would otherwise wait for it. */
export function warmUpWorker(lane: string): void {
  try {
    if (!workers.has(lane)) workers.set(lane, start(lane))
  } catch {
    // compareOnWorker falls back to the main thread
  }
}

/** bcrypt.compare on the worker thread; false for a malformed hash. */
export function compareOnWorker(lane: string, password: string, hash: string): Promise<boolean> {
  let slot = workers.get(lane)
  try {
    if (slot === undefined) {
      slot = start(lane)
      workers.set(lane, slot)
    }
  } catch {
    // Loaded here only: the main thread needs bcryptjs when a worker cannot start, which is rare.
    return import('bcryptjs').then(({ default: bcrypt }) => bcrypt.compare(password, hash)).catch(() => false)
  }
  const { thread, pending } = slot
  const id = nextId++
  return new Promise((resolve) => {
    pending.set(id, resolve)
    thread.postMessage({ id, password, hash })
  })
}

/**
 * Ends the worker threads. They are unref'd, yet a server that closes ends them too, so that nothing
 * of the web server outlives it; a later comparison starts a new one.
 */
export async function stopWorkers(): Promise<void> {
  const slots = [...workers.values()]
  workers.clear()
  await Promise.allSettled(slots.map((slot) => slot.thread.terminate()))
}
