// BackupPolicies' credentials are read from the operator's own namespace only; a reference into any
// other namespace is refused before anything is read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CREDENTIALS_TTL_MS, PolicyCredentials } from '../../src/controller/credentials.js';

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'secret' };

/** A reader over a fixed set of Secrets that records what was read. */
function secrets(stored: Record<string, Record<string, string>>) {
  const reads: string[] = [];
  const read = (namespace: string, name: string) => {
    reads.push(`${namespace}/${name}`);
    const d = stored[`${namespace}/${name}`];
    return d ? Promise.resolve(d) : Promise.reject(new Error(`secrets "${name}" not found`));
  };
  return { reads, read };
}

test("review 6: a credentialsSecretRef into another namespace is refused without reading anything; only the operator's namespace is read", async () => {
  const s = secrets({ 'kube-system/admin-keys': KEYS, 'tenantry-system/s3': KEYS });
  const creds = new PolicyCredentials('tenantry-system', s.read);
  await assert.rejects(
    creds.read({ name: 'admin-keys', namespace: 'kube-system' }),
    /names namespace kube-system, but credentials Secrets are read only from the operator's namespace tenantry-system/,
  );
  assert.deepEqual(s.reads, [], 'the operator read a Secret of another namespace');
  assert.deepEqual(await creds.read({ name: 's3' }), KEYS);
  // A policy stored before the CRD forbade the field may name the operator's own namespace.
  assert.deepEqual(await creds.read({ name: 's3', namespace: 'tenantry-system' }), KEYS);
  assert.deepEqual(s.reads, ['tenantry-system/s3']);
  // Without a namespace a name is never looked up elsewhere.
  await assert.rejects(creds.read({ name: 'admin-keys' }), /not found/);
  assert.deepEqual(s.reads, ['tenantry-system/s3', 'tenantry-system/admin-keys']);
});

test('credentials are reused for a while, a failed or incomplete read is not', async () => {
  let now = 0;
  const stored: Record<string, Record<string, string>> = { 'ops/half': { AWS_ACCESS_KEY_ID: 'AKIA' } };
  const s = secrets(stored);
  const creds = new PolicyCredentials('ops', s.read, () => now);
  await assert.rejects(creds.read({ name: 'half' }), /Secret ops\/half lacks AWS_SECRET_ACCESS_KEY/);
  stored['ops/half'] = KEYS;
  assert.deepEqual(await creds.read({ name: 'half' }), KEYS);
  await creds.read({ name: 'half' });
  assert.equal(s.reads.length, 2);
  now += CREDENTIALS_TTL_MS;
  await creds.read({ name: 'half' });
  assert.equal(s.reads.length, 3);
});
