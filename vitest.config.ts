import { defineConfig } from 'vitest/config'

/**
 * Two groups. "unit" needs no Prometheus or promtool, no network beyond loopback and no real waiting
 * (timers go through an injected clock): `npm run test:unit`. "slow" holds the rest: end-to-end,
 * integration, reliability, soak, deploy, benchmark and fuzz tests, and the unit tests that run
 * promtool or wait on real time. `npm test` runs both.
 */
const SLOW_UNIT = [
  'test/unit/prometheus/rules.test.ts', // promtool
  'test/unit/metrics/exposition.test.ts', // promtool
  'test/unit/grafana/expressions.test.ts', // promtool
  'test/unit/cloud/client-retry.test.ts', // waits out real Retry-After delays
  'test/unit/server/web-config-reload.test.ts', // waits for a reload on real time
  'test/unit/engine/exporter.test.ts' // waits for readiness on real time
]

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env['CI'] === 'true' ? ['default'] : ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: SLOW_UNIT }
      },
      {
        extends: true,
        test: {
          name: 'slow',
          include: ['test/{e2e,integration,reliability,deploy,bench,fuzz}/**/*.test.ts', ...SLOW_UNIT]
        }
      }
    ]
  }
})
