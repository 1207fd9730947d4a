import type { FastifyReply } from 'fastify'

/** The error bodies of the OpenAPI document (components/responses), with its example messages. */
export const ERROR_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Authentication required.',
  403: 'Permission denied for user.',
  404: 'Resource not found.',
  429: 'Too many requests.',
  500: 'An error occured.'
}

export function sendError(
  reply: FastifyReply,
  status: number,
  message = ERROR_MESSAGES[status] ?? 'An error occured.',
  errors?: Record<string, string>
): FastifyReply {
  const body = errors === undefined ? { message, success: false } : { errors, message, success: false }
  return reply.code(status).type('application/json').send(JSON.stringify(body))
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export type Query = Record<string, string | string[] | undefined>

/** The single value of a query parameter (the last one when repeated). */
export function one(query: Query, name: string): string | undefined {
  const value = query[name]
  return Array.isArray(value) ? value[value.length - 1] : value
}

export function many(query: Query, name: string): string[] {
  const value = query[name]
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}
