import bcrypt from 'bcryptjs'
import { afterEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { createBasicAuth, parseBasicAuthorization } from '../../../src/server/basic-auth.js'
import { buildServer } from '../../../src/server/build-server.js'
import { parseWebConfig } from '../../../src/server/web-config.js'
import { captureLogger, fakeView, testSelfMetrics } from './fake-view.js'

const HASH = bcrypt.hashSync('right password', 4)

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

let app: FastifyInstance | undefined
afterEach(async () => {
  await app?.close()
  app = undefined
})

function setup(extra = '') {
  const webConfig = parseWebConfig(
    `basic_auth_users:\n  prometheus: "${HASH}"\n${extra}`,
    '/web.yml',
    () => ''
  )
  app = buildServer({
    view: fakeView(),
    logger: captureLogger().logger,
    telemetryPath: '/metrics',
    webConfig,
    selfMetrics: testSelfMetrics()
  })
  return app
}

describe('basic auth on the server', () => {
  it('warns at start when basic auth is served over plain HTTP, and only then', () => {
    const plain = captureLogger('info')
    app = buildServer({
      view: fakeView(),
      logger: plain.logger,
      telemetryPath: '/metrics',
      webConfig: parseWebConfig(`basic_auth_users:\n  prometheus: "${HASH}"\n`, '/web.yml', () => ''),
      selfMetrics: testSelfMetrics()
    })
    const warning = plain.lines().find((line) => line.includes('basic auth over plain HTTP'))
    expect(warning).toMatch(/"level":40/)
    expect(warning).not.toContain(HASH)

    const headersOnly = captureLogger('info')
    void buildServer({
      view: fakeView(),
      logger: headersOnly.logger,
      telemetryPath: '/metrics',
      webConfig: parseWebConfig(
        'http_server_config:\n  headers:\n    X-Frame-Options: deny\n',
        '/web.yml',
        () => ''
      ),
      selfMetrics: testSelfMetrics()
    }).close()
    expect(headersOnly.lines().join('\n')).not.toContain('plain HTTP')
  })

  it('serves the right user and password', async () => {
    const response = await setup().inject({
      url: '/metrics',
      headers: { authorization: basic('prometheus', 'right password') }
    })
    expect(response.statusCode).toBe(200)
    expect(response.body).toBe('up_total 1\n')
  })

  it.each([
    ['a wrong password', basic('prometheus', 'wrong')],
    ['an unknown user', basic('nobody', 'right password')],
    ['no Authorization header', undefined],
    ['another scheme', 'Bearer abc'],
    ['garbage', 'Basic !!!']
  ])('answers %s with 401 and WWW-Authenticate', async (_name, authorization) => {
    const response = await setup().inject({
      url: '/metrics',
      headers: authorization === undefined ? {} : { authorization }
    })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Basic realm="cratedb-cloud-exporter", charset="UTF-8"')
    expect(response.json()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'authentication required'
    })
    expect(response.body).not.toContain('up_total')
  })

  it('protects every path, unknown ones included, unless it is listed in unauthenticated_paths', async () => {
    const server = setup('unauthenticated_paths: [/healthz, /readyz]\n')
    expect((await server.inject({ url: '/healthz' })).statusCode).toBe(200)
    expect((await server.inject({ url: '/readyz?verbose=1' })).statusCode).toBe(200)
    expect((await server.inject({ method: 'HEAD', url: '/healthz' })).statusCode).toBe(200)
    // decided on the route, so an encoded path is the same path
    expect((await server.inject({ url: '/%68ealthz' })).statusCode).toBe(200)
    for (const url of ['/metrics', '/%6detrics', '/status', '/', '/nope', '/healthz/']) {
      expect((await server.inject({ url })).statusCode, url).toBe(401)
    }
  })

  it('adds the configured headers to responses, 401s included', async () => {
    const server = setup('http_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n')
    expect((await server.inject({ url: '/metrics' })).headers['x-frame-options']).toBe('sameorigin')
  })
})

describe('createBasicAuth', () => {
  it('parses Basic credentials, passwords with colons included', () => {
    expect(parseBasicAuthorization(basic('u', 'a:b:c'))).toEqual({ user: 'u', password: 'a:b:c' })
    expect(parseBasicAuthorization('basic   ' + Buffer.from('u:').toString('base64'))).toEqual({
      user: 'u',
      password: ''
    })
    expect(parseBasicAuthorization('Basic bm9jb2xvbg==')).toBeNull()
    // not strict base64: stray padding or a missing one, which a lenient decoder would accept
    const good = Buffer.from('u:p').toString('base64')
    expect(parseBasicAuthorization(`Basic ${good}`)).toEqual({ user: 'u', password: 'p' })
    expect(parseBasicAuthorization(`Basic ${good}=`)).toBeNull()
    expect(parseBasicAuthorization(`Basic =${good}`)).toBeNull()
    expect(parseBasicAuthorization('Basic dTpwYQ')).toBeNull()
    expect(parseBasicAuthorization('Basic dT=pwYQ==')).toBeNull()
    expect(parseBasicAuthorization('Basic ')).toBeNull()
    expect(parseBasicAuthorization(undefined)).toBeNull()
  })

  it('remembers a successful check for a while instead of paying bcrypt on every scrape', async () => {
    let now = 0
    let compares = 0
    const users = new Map([['prometheus', HASH]])
    const compare = (password: string, hash: string): Promise<boolean> => (
      (compares += 1),
      bcrypt.compare(password, hash)
    )
    {
      const auth = createBasicAuth({ users, cacheTtlMs: 1000, now: () => now, compare })
      expect(await auth.verify(basic('prometheus', 'right password'))).toBe('prometheus')
      expect(await auth.verify(basic('prometheus', 'right password'))).toBe('prometheus')
      expect(compares).toBe(1)
      expect(await auth.verify(basic('prometheus', 'wrong'))).toBeNull()
      expect(await auth.verify(basic('prometheus', 'wrong'))).toBeNull()
      expect(compares).toBe(3) // failures are never cached
      now = 1001
      expect(await auth.verify(basic('prometheus', 'right password'))).toBe('prometheus')
      expect(compares).toBe(4)
      expect(await auth.verify(basic('ghost', 'right password'))).toBeNull()
      expect(compares).toBe(5) // an unknown user costs a comparison too
    }
  })
})
