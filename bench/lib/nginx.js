// nginx as the local static file server: the org payloads for the exporter and Prometheus, and the
// exposition body for the serving comparison.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { start, waitForHttp } from './processes.js'

/** A free loopback port (there is a small window in which another process could take it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * Starts nginx (one worker, keep-alive, sendfile, precompressed .gz files served as they are) on
 * 127.0.0.1 serving `root`; directories answer with their index.json or index.prom. Returns
 * { url, stop() }.
 */
export async function startNginx(nginx, root, workDir) {
  const port = await freePort()
  const dir = join(workDir, 'nginx')
  mkdirSync(dir, { recursive: true })
  // Worker processes run as an unprivileged user when nginx starts as root: the files must be readable.
  chmodSync(workDir, 0o755)
  mkdirSync(root, { recursive: true })
  chmodSync(root, 0o755)
  const config = join(dir, 'nginx.conf')
  writeFileSync(
    config,
    `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  types {
    application/json json;
    "text/plain; version=0.0.4; charset=utf-8" prom;
  }
  default_type "text/plain; version=0.0.4; charset=utf-8";
  server {
    listen 127.0.0.1:${port};
    root ${root};
    index index.json index.prom;
    gzip_static on;
    etag off;
  }
}
`
  )
  const child = start(nginx, ['-p', dir, '-c', config, '-e', join(dir, 'error.log')])
  const url = `http://127.0.0.1:${port}`
  await waitForHttp(`${url}/`, { status: 'any', child, timeoutMs: 15_000 })
  return { url, pid: child.pid, stop: () => child.stop() }
}
