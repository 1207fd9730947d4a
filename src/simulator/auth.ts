import type { FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from './routes/errors.js'
import type { SimulatorState } from './state.js'

/** Key and secret from `Authorization: Basic base64(key:secret)`, or null. */
export function basicCredentials(header: string | undefined): { key: string; secret: string } | null {
  if (header === undefined) return null
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)
  if (match === null) return null
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return null
  return { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) }
}

/**
 * HTTP Basic with the API key as user and the secret as password, as the real API. A refusal is a JSON
 * 401, or (setting) the login redirect `302 Location: /?rd=<path>` that croud recognises.
 */
export function createAuthHook(state: SimulatorState) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const credentials = basicCredentials(request.headers.authorization)
    if (credentials !== null && state.authenticate(credentials.key, credentials.secret)) return
    if (state.settings.authFailure === 302) {
      await reply
        .code(302)
        .header('location', `/?rd=${encodeURIComponent(request.url)}`)
        .send()
      return
    }
    await sendError(reply, 401)
  }
}
