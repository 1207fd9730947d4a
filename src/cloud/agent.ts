import { createRequire } from 'node:module'
import type { Agent as UndiciAgent, Dispatcher } from 'undici'

/**
 * undici's Agent and request(), loaded from their own files. The package's index also loads fetch,
 * WebSocket, EventSource, the cache and the mock agents: about 6 MiB of memory and 150 ms at every start,
 * for nothing the client uses. undici declares no exports map, so these files are part of what it
 * publishes; a test checks that they are what its index exports.
 */
const require = createRequire(import.meta.url)

export const Agent = require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent
export type Agent = UndiciAgent

/** The function undici's index sets as Dispatcher.prototype.request. */
export const dispatcherRequest = require('undici/lib/api/api-request.js') as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions
) => Promise<Dispatcher.ResponseData>

/** `dispatcher.request(options)` of undici's API, on any dispatcher (an Agent, or a MockAgent in tests). */
export function request(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions
): Promise<Dispatcher.ResponseData> {
  return dispatcherRequest.call(dispatcher, options)
}
