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

  it('shows the org metrics nodes dropped per organization: non-zero reasons, 0, or unknown', () => {
    const page = compact(
      renderLandingPage(
        sampleStatus({
          organizations: [
            { id: 'org-1', name: 'Acme & Co', orgMetricsDroppedNodes: { unknown_cluster: 3, limit: 0 } },
            { id: 'org-2', name: 'Globex', orgMetricsDroppedNodes: { unknown_cluster: 0, limit: 0 } },
            { id: 'org-3', name: 'Initech', orgMetricsDroppedNodes: null }
          ]
        }),
        options
      )
    )
    expect(page).toContain('<th scope="col">Metrics nodes dropped</th>')
    expect(page).toMatch(
      /<code>org-1<\/code><\/td><td><span class="warn"\s*>unknown_cluster: 3<\/span\s*><\/td>/
    )
    expect(page).toContain('<code>org-2</code></td><td>0</td>')
    expect(page).toContain('<code>org-3</code></td><td><span class="muted">–</span></td>')
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

describe('landing page, storage autopilot section', () => {
  const GIB = 1024 ** 3
  const autopilot = {
    mode: 'dry_run' as const,
    evaluatedAt: NOW - 30_000,
    clusters: [
      {
        id: 'c-1',
        name: 'telemetry-archive',
        organizationName: 'acme',
        fullestNode: 'data-hot-0',
        fullestUtilization: 0.92,
        floodStageInSeconds: 5.5 * 3600,
        diskSizePerNodeBytes: 256 * GIB,
        state: 'skip' as const,
        reason: 'cooldown: the last expansion was 3 min ago (fullest node at 92.0 %)'
      }
    ],
    recent: [
      {
        at: NOW - 180_000,
        clusterId: 'c-1',
        clusterName: '<b>telemetry-archive</b>',
        outcome: 'dry_run' as const,
        fromBytes: 256 * GIB,
        toBytes: 320 * GIB,
        reason: 'would expand from 256 to 320 GiB'
      }
    ]
  }

  it('is absent while the autopilot is off', () => {
    expect(renderLandingPage(sampleStatus(), options)).not.toContain('Storage autopilot')
  })

  it('shows the mode, each cluster in scope with its fullest node and forecast, and the recent decisions', () => {
    const page = compact(renderLandingPage(sampleStatus({ autopilot }), options))
    expect(page).toContain('<h2>Storage autopilot</h2>')
    expect(page).toContain('dry-run</span> reports what it would do; sends no change')
    expect(page).toContain('data-hot-0 92.0 %')
    expect(page).toContain('<td>5.5 h</td>')
    expect(page).toContain('256 GiB → 320 GiB')
    expect(page).toContain('cooldown: the last expansion was 3 min ago')
    expect(page).toContain('&lt;b&gt;telemetry-archive&lt;/b&gt;')
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
