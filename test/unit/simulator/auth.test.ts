import { describe, expect, it } from 'vitest'
import { basic, createFixture } from './fixture.js'

describe('simulator auth', () => {
  it('accepts the configured key/secret pairs, several at once, and refuses others with the spec 401 body', async () => {
    const f = createFixture({
      credentials: [
        { key: 'k1', secret: 's1' },
        { key: 'k2', secret: 's2' }
      ]
    })
    expect((await f.get('/api/v2/users/me/', { authorization: basic('k1', 's1') })).statusCode).toBe(200)
    expect((await f.get('/api/v2/users/me/', { authorization: basic('k2', 's2') })).statusCode).toBe(200)
    for (const headers of [
      { authorization: basic('k1', 's2') },
      { authorization: basic('nobody', 's1') },
      {}
    ]) {
      const response = await f.get('/api/v2/users/me/', headers)
      expect(response.statusCode).toBe(401)
      expect(response.json()).toEqual({ message: 'Authentication required.', success: false })
    }
  })

  it('supports key rollover: deactivate one key and add another at runtime', async () => {
    const f = createFixture({ credentials: [{ key: 'old', secret: 'o' }] })
    f.state.addCredential('new', 'n')
    expect((await f.get('/api/v2/organizations/', { authorization: basic('new', 'n') })).statusCode).toBe(200)
    expect(f.state.deactivateCredential('old')).toBe(true)
    expect((await f.get('/api/v2/organizations/', { authorization: basic('old', 'o') })).statusCode).toBe(401)
    const added = await f.admin('POST', '/credentials', { key: 'third', secret: 't' })
    expect(added.statusCode).toBe(201)
    expect((await f.get('/api/v2/organizations/', { authorization: basic('third', 't') })).statusCode).toBe(
      200
    )
    expect((await f.admin('POST', '/credentials/third/deactivate')).statusCode).toBe(200)
    expect((await f.get('/api/v2/organizations/', { authorization: basic('third', 't') })).statusCode).toBe(
      401
    )
  })

  it('answers 302 to /?rd=<path> instead when switched', async () => {
    const f = createFixture({ settings: { authFailure: 302 } })
    const response = await f.get('/api/v2/clusters/?project_id=x', { authorization: basic('bad', 'bad') })
    expect(response.statusCode).toBe(302)
    expect(response.headers['location']).toBe(`/?rd=${encodeURIComponent('/api/v2/clusters/?project_id=x')}`)
  })

  it('expires a key idle for more than 90 days, as the real keys', async () => {
    const f = createFixture()
    f.clock.advance(91 * 86_400_000)
    expect((await f.get('/api/v2/users/me/')).statusCode).toBe(401)
  })

  it('guards the admin API with its own bearer token, not with API keys', async () => {
    const f = createFixture()
    expect(
      (await f.app.inject({ url: '/_simulator/state', headers: { authorization: f.authorization } }))
        .statusCode
    ).toBe(401)
    const state = await f.admin('GET', '/state')
    expect(state.statusCode).toBe(200)
    expect(state.body).not.toContain(f.credential.secret)
  })
})
