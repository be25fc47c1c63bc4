// Where the local environment keeps its sources, cache and run state.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Returns the repository root: the nearest folder above this file that holds package.json (works from src and from dist). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (no package.json above the test environment)');
    dir = parent;
  }
  return dir;
}

/** Returns the source folder of the environment's Go modules (test/env in the repository). */
export function envSourceDir(): string {
  return join(repoRoot(), 'test', 'env');
}

/**
 * Returns the cache folder for built binaries and downloaded CRDs. It lives outside the clone
 * (TENANTRY_CACHE, else $XDG_CACHE_HOME/tenantry, else ~/.cache/tenantry) so that a fresh clone on
 * the same machine reuses binaries already built instead of linking kube-apiserver again.
 */
export function cacheDir(): string {
  if (process.env.TENANTRY_CACHE) return process.env.TENANTRY_CACHE;
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'tenantry');
}

/** Returns the folder where `npm run env:up` keeps its data, certificates, logs and state file. */
export function upStateDir(): string {
  return process.env.TENANTRY_ENV_DIR ?? join(repoRoot(), '.cache', 'env');
}
