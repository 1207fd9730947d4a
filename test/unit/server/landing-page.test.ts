import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildServer } from '../../../src/server/build-server.js'
import { escapeHtml, formatRelative } from '../../../src/server/html.js'
import { renderLandingPage } from '../../../src/server/landing-page.js'
import { captureLogger, fakeView, NOW, sampleStatus, testSelfMetrics } from './fake-view.js'

let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

/** The page with the whitespace between tags removed, so that assertions do not depend on layout. */
function compact(page: string): string {
  return page.replace(/>\s+</g, '><').replace(/\s+/g, ' ')
}

const options = { telemetryPath: '/metrics', docsUrl: 'https://example.org/docs' }

describe('landing page', () => {
  it('is served at / with security headers that allow no remote source and no script', async () => {
    app = buildServer({
      view: fakeView(),
      logger: captureLogger().logger,
      telemetryPath: '/metrics',
      webConfig: null,
      selfMetrics: testSelfMetrics()
    })
    const response = await app.inject({ url: '/' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(response.headers['x-content-type-options']).toBe('nosniff')
    const csp = String(response.headers['content-security-policy'])
    expect(csp).toContain("default-src 'none'")
    expect(csp).not.toMatch(/https?:|script-src|unsafe/)
    // the one inline style sheet is allowed by its hash
    const style = /<style>([^]*?)<\/style>/.exec(response.body)?.[1] ?? ''
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`)
    expect(response.body).not.toMatch(/<script|<link|src=/i)
  })

  it('renders a cluster name like <script> as text', () => {
    const page = renderLandingPage(sampleStatus(), options)
    expect(page).not.toContain('<script>alert')
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expect(page).toContain('Acme &amp; Co')
    expect(page).toContain('HTTP 429 &lt;too many&gt;')
  })

  it('links to the telemetry path, /status, /healthz, /readyz and the docs', () => {
    const page = renderLandingPage(sampleStatus(), { ...options, telemetryPath: '/custom/metrics' })
    const hrefs = [...page.matchAll(/href="([^"]*)"/g)].map((match) => match[1])
    expect(hrefs).toEqual([
      './custom/metrics',
      './status',
      './healthz',
      './readyz',
      'https://example.org/docs'
    ])
  })

  it('shows clusters, collectors with relative and absolute times, API usage and the active key', () => {
    const page = compact(renderLandingPage(sampleStatus(), options))
    expect(page).toContain('42.0 %')
    expect(page).toContain('12.5 %')
    expect(page).toContain('12 s ago')
    expect(page).toContain('2025-05-01 11:59:48 UTC')
    expect(page).toContain('5 min ago')
    expect(page).toContain('in 20 s')
    expect(page).toContain('<code>throttled</code>')
    expect(page).toContain('throttled: 7, server: 2')
    expect(page).toContain('1234')
    expect(page).toContain('<td>backup</td><td><span class="badge good">active</span>')
    expect(page).toContain('Ready')
  })

  it('says which shard the exporter is', () => {
    expect(compact(renderLandingPage(sampleStatus(), options))).toContain('unsharded: every organization')
    const sharded = compact(renderLandingPage(sampleStatus({ shard: { ordinal: 2, total: 3 } }), options))
    expect(sharded).toContain('2 of 3 (ordinals from 0)')
  })

  it('says why it is not ready, and handles an empty status', () => {
    const page = compact(
      renderLandingPage(
        sampleStatus({
          ready: false,
          problem: 'no organization visible',
          organizations: [],
          clusters: [],
          collectors: [],
          api: { requests: 0, errors: {}, credentials: [] }
        }),
        options
      )
    )
    expect(page).toContain('Not ready: no organization visible')
    expect(page).toContain('No cluster seen yet.')
    expect(page).toContain('Errors by reason</dt><dd>none')
  })
})

describe('html helpers', () => {
  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`<a href='x'>"&"</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;')
  })

  it('formats relative times', () => {
    expect(formatRelative(NOW, NOW)).toBe('now')
    expect(formatRelative(NOW - 45_000, NOW)).toBe('45 s ago')
    expect(formatRelative(NOW + 30 * 60_000, NOW)).toBe('in 30 min')
    expect(formatRelative(NOW - 5 * 3600_000, NOW)).toBe('5 h ago')
    expect(formatRelative(NOW - 3 * 86400_000, NOW)).toBe('3 d ago')
  })
})
