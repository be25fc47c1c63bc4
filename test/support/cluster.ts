// Small helpers for integration tests that watch the cluster converge.
import type { Tenant } from '../../src/api/generated/index.js';
import { sleep } from '../env/proc.js';
import { kubectl, kubectlOk } from './kubectl.js';

/** Polls `check` until it returns a value (not undefined/false) or the timeout passes; the error names `what`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

/** Gets one object as JSON, or undefined when it does not exist. */
export async function getJson<T = Record<string, unknown>>(kind: string, name: string, namespace?: string): Promise<T | undefined> {
  const r = await kubectl(['get', kind, name, '-o', 'json', ...(namespace ? ['-n', namespace] : [])]);
  if (r.code !== 0) {
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(r.stderr);
  }
  return JSON.parse(r.stdout) as T;
}

/** Lists objects of a kind as JSON items. */
export async function listJson<T = Record<string, unknown>>(kind: string, args: string[] = []): Promise<T[]> {
  const out = await kubectlOk(['get', kind, '-o', 'json', ...args]);
  return (JSON.parse(out) as { items: T[] }).items;
}

/** Applies objects with server-side apply as the test's own field manager. */
export async function applyObjects(objects: unknown[]): Promise<void> {
  await kubectlOk(
    ['apply', '--server-side', '--force-conflicts', '--field-manager=tenantry-tests', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  );
}

/** Returns the condition of a type from a Tenant. */
export function condition(t: Tenant | undefined, type: string) {
  return t?.status?.conditions?.find((c) => c.type === type);
}

/** Builds a Tenant manifest for tests. */
export function testTenant(name: string, labels: Record<string, string>, spec: Partial<Tenant['spec']> = {}): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name, labels },
    spec: { plan: 'paid', region: 'eu-central-1', database: { engine: 'postgres' }, ...spec },
  };
}
