// Applying builders' manifests to the real API server and checking they are stored as built:
// shared by the integration tests of the tenant's and the backup's builders.
import assert from 'node:assert/strict';
import type { Manifest } from '../../src/resources/index.js';
import { kubectl } from './kubectl.js';

type Json = Record<string, unknown>;

/** The field manager the operator applies with. */
const FIELD_MANAGER = 'tenantry';

/** Returns the first path where `have` lacks or differs from something in `want` (lists must match item by item), or undefined. */
export function mismatch(want: unknown, have: unknown, path = ''): string | undefined {
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return `${path}: want ${JSON.stringify(want)}, stored ${JSON.stringify(have)}`;
    for (const [i, w] of want.entries()) {
      const m = mismatch(w, have[i], `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have))
      return `${path}: want ${JSON.stringify(want)}, stored ${JSON.stringify(have)}`;
    for (const [k, w] of Object.entries(want)) {
      const m = mismatch(w, (have as Json)[k], `${path}.${k}`);
      if (m) return m;
    }
    return undefined;
  }
  return want === have ? undefined : `${path}: want ${JSON.stringify(want)}, stored ${JSON.stringify(have)}`;
}

/**
 * Applies manifests with server-side apply (optionally as a server-side dry run); asserts no refusal
 * and no warning; returns them as stored.
 */
export async function apply(manifests: Manifest[], dryRun: boolean): Promise<Json[]> {
  const args = ['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-o', 'json', '-f', '-'];
  if (dryRun) args.push('--dry-run=server');
  const r = await kubectl(args, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }));
  assert.equal(
    r.code,
    0,
    `kubectl ${args.join(' ')} refused ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}: ${r.stderr}`,
  );
  // A warning (deprecated field, unknown field dropped by a schema) means the stored object differs from the intent.
  assert.doesNotMatch(r.stderr, /warning/i, `the API server warned about ${manifests.map((m) => m.kind).join(', ')}`);
  const parsed = JSON.parse(r.stdout) as Json;
  return parsed.kind === 'List' ? (parsed.items as Json[]) : [parsed];
}

/** Asserts each stored object holds everything its manifest asked for, unchanged. */
export function assertStoredAsBuilt(manifests: Manifest[], stored: Json[]): void {
  assert.equal(stored.length, manifests.length);
  for (const [i, m] of manifests.entries()) {
    const diff = mismatch(m, stored[i]);
    assert.equal(diff, undefined, `${m.kind}/${m.metadata.name} is not stored as built: ${diff}`);
  }
}

/** Waits until the quota controller has computed a quota's status: until then quota admission refuses every pod. */
export async function waitForQuota(namespace: string, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await kubectl(['get', 'resourcequota', name, '-n', namespace, '-o', 'jsonpath={.status.hard}']);
    if (r.code === 0 && r.stdout.trim() !== '' && r.stdout.trim() !== '{}') return;
    if (Date.now() > deadline) throw new Error(`ResourceQuota ${namespace}/${name} has no status after 30 s: ${r.stderr}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}
