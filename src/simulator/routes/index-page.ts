import type { FastifyInstance } from 'fastify'

/**
 * GET /: what this server is and which routes it answers, so the URL that `simulate` and `demo` print
 * leads somewhere. The routes are collected as they are registered, so the list cannot go stale.
 * Call before registering the other routes.
 */
export function registerIndexRoute(app: FastifyInstance): void {
  const routes: string[] = []
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD' && route.url !== '/') routes.push(`${method} ${route.url}`)
  })
  app.get('/', () => ({
    name: 'CrateDB Cloud API simulator (cratedb-cloud-exporter)',
    about:
      'A stand-in for the CrateDB Cloud API, for tests and demos. /api/ routes need HTTP Basic auth with a ' +
      'key and secret the simulator printed; /_simulator/ routes need "Authorization: Bearer <admin token>".',
    routes: [...routes].sort()
  }))
}
