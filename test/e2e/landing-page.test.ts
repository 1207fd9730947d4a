import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildServer } from '../../src/server/build-server.js'
import { externalTool } from '../helpers/environment.js'
import { captureLogger, fakeView, testSelfMetrics } from '../unit/server/fake-view.js'

const chromiumPath = externalTool('chromium')
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
]

describe.skipIf(chromiumPath === undefined)('landing page in a real browser', () => {
  let app: FastifyInstance
  let browser: Browser
  let url = ''

  beforeAll(async () => {
    app = buildServer({
      view: fakeView(),
      logger: captureLogger('info').logger,
      telemetryPath: '/metrics',
      webConfig: null,
      selfMetrics: testSelfMetrics()
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    url = `http://127.0.0.1:${address.port}/`
    browser = await chromium.launch({ executablePath: chromiumPath!, args: ARGS })
  })

  afterAll(async () => {
    await browser?.close()
    await app?.close()
  })

  it('shows the status tables, treats a hostile cluster name as text, and runs no script', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const problems: string[] = []
    page.on('console', (message) => problems.push(`console ${message.type()}: ${message.text()}`))
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`)
      void dialog.dismiss()
    })
    const requested: string[] = []
    page.on('request', (request) => requested.push(request.url()))

    const response = await page.goto(url)
    expect(response?.status()).toBe(200)
    expect(await page.title()).toBe('CrateDB Cloud exporter')

    const tables = page.locator('table')
    const clusterRows = await tables.nth(1).locator('tbody tr').allInnerTexts()
    expect(clusterRows).toHaveLength(2)
    expect(clusterRows[0]).toMatch(/Acme & Co\s+Main\s+production\s+c-1\s+GREEN\s+3\s+42\.0 %\s+12\.5 %/)
    expect(clusterRows[1]).toContain('<script>alert("x")</script>')
    expect(clusterRows[1]).toMatch(/YELLOW\s+1\s+91\.0 %\s+waiting for the second poll\s+UPGRADE/)
    expect(await page.locator('body script').count()).toBe(0)

    const collectorRows = await tables.nth(2).locator('tbody tr').allInnerTexts()
    expect(collectorRows[0]).toMatch(/inventory\s+ok\s+12 s ago\s+2025-05-01 11:59:48 UTC\s+0\.84 s/)
    expect(collectorRows[1]).toMatch(/org_metrics\s+Globex\s+failed\s+5 min ago/)
    expect(collectorRows[1]).toContain('throttled HTTP 429 <too many>')
    expect(collectorRows[1]).toContain('in 20 s')

    const keys = await tables.nth(3).locator('tbody tr').allInnerTexts()
    expect(keys[0]).toMatch(/primary\s+standby\s+auth_failed\s+10 min ago/)
    expect(keys[1]).toMatch(/backup\s+active\s+ok\s+never/)
    expect(await page.locator('dl').innerText()).toMatch(
      /Requests\s+1234\s+Errors by reason\s+throttled: 7, server: 2/
    )

    const hrefs = await Promise.all(
      (await page.locator('nav a').all()).map((link) => link.getAttribute('href'))
    )
    const links = hrefs.map((href) => new URL(href ?? '', url).href)
    expect(links.slice(0, 4)).toEqual([`${url}metrics`, `${url}status`, `${url}healthz`, `${url}readyz`])

    // the inline style sheet is applied (the CSP allows it by its hash)
    // (a string expression: the tests are compiled without the DOM library)
    const collapse = await page.evaluate("getComputedStyle(document.querySelector('table')).borderCollapse")
    expect(collapse).toBe('collapse')
    expect(problems).toEqual([])
    expect(requested).toEqual([url])

    const screenshot = join(mkdtempSync(join(tmpdir(), 'cce-landing-')), 'landing-page.png')
    await page.screenshot({ path: screenshot, fullPage: true })
    expect(statSync(screenshot).size).toBeGreaterThan(10_000)
    console.log(`landing page screenshot: ${screenshot}`)
    await page.close()
  })
})
