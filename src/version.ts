import { readFileSync } from 'node:fs'

interface PackageJson {
  version: string
}

function readPackageJson(): PackageJson {
  // dist/version.js and src/version.ts both sit one level below the package root.
  const url = new URL('../package.json', import.meta.url)
  return JSON.parse(readFileSync(url, 'utf8')) as PackageJson
}

export const version: string = readPackageJson().version

/** Git revision baked in at image build time (REVISION build arg), or "unknown". */
export function revision(env: NodeJS.ProcessEnv): string {
  return env['CRATEDB_CLOUD_EXPORTER_REVISION'] ?? 'unknown'
}
