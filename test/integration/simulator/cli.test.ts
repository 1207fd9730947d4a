import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, REPO_ROOT, ensureBuiltCli } from '../../helpers/environment.js'

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolvePromise, reject) => {
    let seen = ''
    const timer = setTimeout(
      () => reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms; stdout: ${seen}`)),
      timeoutMs
    )
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8')
      const match = pattern.exec(seen)
      if (match !== null) {
        clearTimeout(timer)
        resolvePromise(match)
      }
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code}; stdout: ${seen}`)))
  })
}

describe('the built CLI: simulate', () => {
  let child: ChildProcess
  let url: string
  let stdout = ''

  beforeAll(async () => {
    ensureBuiltCli()
    child = spawn(
      process.execPath,
      [CLI, 'simulate', '--listen-address', '127.0.0.1:0', '--api-key', 'k', '--api-secret', 's'],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    const match = await waitForLine(
      child,
      /listening on (http:\/\/127\.0\.0\.1:\d+)\n[\s\S]*admin token/,
      20_000
    )
    url = match[1]!
  })

  afterAll(async () => {
    if (child.exitCode !== null) return
    const exited = new Promise((done) => child.once('exit', done))
    child.kill('SIGTERM')
    await exited
  })

  it('prints its address and the key pair it accepts', () => {
    expect(stdout).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/m)
    expect(stdout).toContain('api key: k\n')
    expect(stdout).toContain('api secret: s\n')
  })

  it('answers GET /api/v2/users/me/ with a CurrentUser for that pair, and 401 otherwise', async () => {
    const auth = (key: string, secret: string) =>
      `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`
    const ok = await request(`${url}/api/v2/users/me/`, { headers: { authorization: auth('k', 's') } })
    expect(ok.statusCode).toBe(200)
    const user = (await ok.body.json()) as { email: string; organization_roles: unknown[] }
    expect(user.email).toMatch(/@/)
    expect(user.organization_roles.length).toBeGreaterThan(0)
    const bad = await request(`${url}/api/v2/users/me/`, { headers: { authorization: auth('k', 'wrong') } })
    expect(bad.statusCode).toBe(401)
    await bad.body.text()
  })

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  it('exits 2 on a bad flag', () => {
    const result = spawnSync(process.execPath, [CLI, 'simulate', '--rate-limit', 'never'], {
      encoding: 'utf8'
    })
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('--rate-limit')
  })
})
