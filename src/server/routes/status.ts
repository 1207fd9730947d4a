import type { FastifyPluginCallback } from 'fastify'
import { renderLandingPage } from '../landing-page.js'
import { LANDING_CSP } from '../landing-style.js'
import type { ExporterView } from '../../engine/view.js'

export interface StatusRouteOptions {
  readonly view: ExporterView
  readonly telemetryPath: string
  readonly docsUrl: string
}

/** /status (JSON) and the landing page at "/", both views of view.status(). */
export const statusRoutes: FastifyPluginCallback<StatusRouteOptions> = (app, options, done) => {
  app.get('/status', (_request, reply) => {
    return reply.header('Cache-Control', 'no-store').send(options.view.status())
  })

  if (options.telemetryPath !== '/') {
    app.get('/', (_request, reply) => {
      const page = renderLandingPage(options.view.status(), {
        telemetryPath: options.telemetryPath,
        docsUrl: options.docsUrl
      })
      return reply
        .type('text/html; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .header('Content-Security-Policy', LANDING_CSP)
        .header('X-Frame-Options', 'DENY')
        .header('Referrer-Policy', 'no-referrer')
        .send(page)
    })
  }
  done()
}
