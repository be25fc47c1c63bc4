// `tenantry sweep`, the built command, against the real API server, S3 server and KMS emulator: a
// backup destination holding an erased tenant's leftovers (its Tenant Erased in status, its receipt
// written to the locked archive), a live tenant's backups and a prefix of no tenant, plus a tenant
// key alias of no tenant. --dry-run deletes and writes nothing and reports all of it; a real run
// deletes the leftovers (with an audit record), keeps the live tenant's backups and the unknown
// prefix and reports the latter, keeps the orphaned key, and nudges the tenant whose status lags.
// Names are unique to this run, so the file can run next to others on one cluster.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { dump } from 'js-yaml';
import type { Tenant } from '../../src/api/generated/index.js';
import { RegionArchive } from '../../src/lifecycle/archive.js';
import { SWEEP_REQUESTED_ANNOTATION } from '../../src/lifecycle/sweep.js';
import { repoRoot } from '../env/paths.js';
import { adminS3, createS3CredentialsSecret, deleteS3CredentialsSecret, need, servicesPolicy } from '../support/backup-env.js';
import { applyObjects, getJson } from '../support/cluster.js';
import { kubectl, kubectlOk, runCaptured, testKubeconfig } from '../support/kubectl.js';
import { OPERATOR_NAMESPACE } from '../support/operator.js';
import { installTenantryCrds } from '../support/prerequisites.js';

const RUN = randomBytes(3).toString('hex');
const REGION = 'eu-west-1';
const PREFIX = `sweep-${RUN}`;
const CREDS = `sweep-creds-${RUN}`;
const POLICY = `sweep-${RUN}`;
const GONE = `gone-${RUN}`;
const LIVE = `live-${RUN}`;
const NOBODY = `nobody-${RUN}`;
const ORPHAN_ALIAS = `alias/tenantry/nokey-${RUN}`;
const BACKUP_ID = '20260101T020000Z-abcdef';

type Line = Record<string, unknown> & { kind: string };

function kmsClient(): KMSClient {
  return new KMSClient({
    region: REGION,
    endpoint: need('TENANTRY_KMS_ENDPOINT'),
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

function tenantManifest(name: string, spec: Partial<Tenant['spec']>): Tenant {
  return {
    apiVersion: 'tenantry.io/v1alpha1',
    kind: 'Tenant',
    metadata: { name },
    spec: { plan: 'paid', region: REGION, database: { engine: 'postgres' }, ...spec },
  };
}

/** Puts a backup's objects (manifest and a part) under `<PREFIX>/<name>/`. */
async function seedBackup(s3: S3Client, name: string): Promise<void> {
  const base = `${PREFIX}/${name}/${BACKUP_ID}`;
  const Bucket = need('TENANTRY_S3_BUCKET');
  await s3.send(new PutObjectCommand({ Bucket, Key: `${base}/database.tenc`, Body: randomBytes(2048) }));
  await s3.send(new PutObjectCommand({ Bucket, Key: `${base}/manifest.json`, Body: '{"backupId":"x"}\n' }));
}

async function keysUnder(s3: S3Client, Bucket: string, Prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket, Prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

/** The operator configuration the sweep runs with: the test region, its archive, the test S3 and KMS endpoints. */
function writeConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-sweep-'));
  const path = join(dir, 'config.yaml');
  const config = {
    regions: {
      [REGION]: {
        storageClassName: 'encrypted',
        kmsKeyId: need('TENANTRY_KMS_KEY_ID'),
        backupBucket: need('TENANTRY_S3_BUCKET'),
        archiveBucket: need('TENANTRY_S3_ARCHIVE_BUCKET'),
        billingKmsKeyId: need('TENANTRY_KMS_BILLING_KEY_ID'),
      },
    },
    lifecycle: { s3Endpoint: need('TENANTRY_S3_ENDPOINT'), kmsEndpoint: need('TENANTRY_KMS_ENDPOINT') },
  };
  writeFileSync(path, dump(config));
  return path;
}

/** Runs the built `tenantry sweep -o json` as the CronJob would; the archive and KMS credentials come from the environment. */
async function sweep(configPath: string, ...flags: string[]): Promise<{ code: number; lines: Line[]; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_ACCESS_KEY_ID: need('TENANTRY_S3_ACCESS_KEY_ID'),
    AWS_SECRET_ACCESS_KEY: need('TENANTRY_S3_SECRET_ACCESS_KEY'),
  };
  const args = [join(repoRoot(), 'bin', 'tenantry.js'), 'sweep', '--config', configPath, '--kubeconfig', testKubeconfig()];
  const r = await runCaptured(process.execPath, [...args, '--namespace', OPERATOR_NAMESPACE, '-o', 'json', ...flags], undefined, env);
  const lines = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
  return { code: r.code, lines, stderr: r.stderr };
}

const prefixLine = (lines: Line[], name: string) => lines.find((l) => l.kind === 'prefix' && l.prefix === `${PREFIX}/${name}/`);

/**
 * Other files on this cluster may leave BackupPolicies whose Secrets are gone: their errors make the
 * exit code 1. This sweep's own destination and tenants must cause none, and 0 means no error at all.
 */
function assertNoErrorOfOurs(r: { code: number; lines: Line[]; stderr: string }): void {
  const errors = r.lines.filter((l) => l.kind === 'error');
  const ours = errors.filter((l) => JSON.stringify(l).includes(RUN));
  assert.deepEqual(ours, [], `errors of this test's objects: ${r.stderr}`);
  assert.equal(r.code, errors.length > 0 ? 1 : 0, r.stderr);
}

describe('tenantry sweep against the API server, S3 and KMS', () => {
  const s3 = adminS3();
  const kms = kmsClient();
  let configPath: string;
  let orphanKeyId: string;
  let goneUid: string;

  before(async () => {
    await installTenantryCrds('tenants', 'backuppolicies');
    await createS3CredentialsSecret(CREDS);
    await applyObjects([
      servicesPolicy(POLICY, { prefix: PREFIX, credentialsSecret: CREDS }),
      tenantManifest(GONE, { plan: 'trial', lifecycle: { trialEndsAt: '2026-01-01T00:00:00Z' } }),
      tenantManifest(LIVE, {}),
    ]);
    const gone = await getJson<Tenant>('tenant', GONE);
    goneUid = gone!.metadata.uid!;
    // The erasure as the operator finishes it: the receipt locked in the archive, then Erased with it in status.
    const archive = new RegionArchive(s3, {
      region: REGION,
      bucket: need('TENANTRY_S3_ARCHIVE_BUCKET'),
      kmsKeyId: need('TENANTRY_KMS_BILLING_KEY_ID'),
    });
    const erasedAt = new Date().toISOString();
    const stored = await archive.writeReceipt(GONE, goneUid, { erasedAt, backupObjectsDeleted: 0, backupBytesDeleted: 0 });
    const lifecycle = { phase: 'Erased', reason: 'TrialEnded', receipt: { location: stored.location, erasedAt } };
    await kubectlOk(['patch', 'tenant', GONE, '--subresource=status', '--type', 'merge', '-p', JSON.stringify({ status: { lifecycle } })]);
    // Leftovers: backup objects under the erased tenant's prefix (an agent that ran late, a copy restored by hand).
    for (const name of [GONE, LIVE, NOBODY]) await seedBackup(s3, name);
    const key = await kms.send(new CreateKeyCommand({ Description: 'not a tenant key of any Tenant' }));
    orphanKeyId = key.KeyMetadata!.KeyId!;
    await kms.send(new CreateAliasCommand({ AliasName: ORPHAN_ALIAS, TargetKeyId: orphanKeyId }));
    configPath = writeConfig();
  });

  after(async () => {
    await kubectl(['delete', 'backuppolicy', POLICY, '--ignore-not-found']);
    await kubectl(['delete', 'tenant', GONE, LIVE, '--ignore-not-found', '--wait=false']);
    await deleteS3CredentialsSecret(CREDS);
    s3.destroy();
    kms.destroy();
  });

  test('--dry-run deletes nothing, writes nothing, and reports the leftovers, the unknown prefix, the orphaned key and the lagging tenant', async () => {
    const r = await sweep(configPath, '--dry-run');
    assertNoErrorOfOurs(r);
    const leftovers = prefixLine(r.lines, GONE);
    assert.equal(leftovers?.category, 'leftovers', JSON.stringify(r.lines));
    assert.equal(leftovers.deleted, false);
    assert.equal(leftovers.objects, 2);
    assert.equal(prefixLine(r.lines, NOBODY)?.category, 'orphaned');
    assert.equal(prefixLine(r.lines, LIVE), undefined, 'a live tenant is not reported');
    assert.ok(r.lines.some((l) => l.kind === 'key' && l.alias === ORPHAN_ALIAS && l.category === 'orphaned'));
    const lag = r.lines.find((l) => l.kind === 'lagging' && l.tenant === LIVE);
    assert.equal(lag?.nudged, false);
    assert.ok(!r.lines.some((l) => l.kind === 'lagging' && l.tenant === GONE), 'an Erased tenant does not lag');
    const summary = r.lines.at(-1)!;
    assert.equal(summary.kind, 'summary');
    assert.equal(summary.dryRun, true);
    assert.match(r.stderr, /"event":"sweep.orphan"/);
    assert.match(r.stderr, /"level":"warn"/);

    const Bucket = need('TENANTRY_S3_BUCKET');
    for (const name of [GONE, LIVE, NOBODY]) assert.equal((await keysUnder(s3, Bucket, `${PREFIX}/${name}/`)).length, 2, name);
    const live = await getJson<Tenant>('tenant', LIVE);
    assert.equal(live?.metadata.annotations?.[SWEEP_REQUESTED_ANNOTATION], undefined, 'a dry run does not nudge');
    const audit = await keysUnder(s3, need('TENANTRY_S3_ARCHIVE_BUCKET'), `audit/${REGION}/`);
    assert.ok(!audit.some((k) => k.includes(`/${GONE}/`)), 'a dry run writes no audit record');
  });

  test('a real run deletes the leftovers with an audit record, keeps the live and the unknown prefix and the orphaned key, and nudges', async () => {
    const r = await sweep(configPath);
    assertNoErrorOfOurs(r);
    const leftovers = prefixLine(r.lines, GONE);
    assert.equal(leftovers?.deleted, true, JSON.stringify(r.lines));
    assert.equal(leftovers.objects, 2);
    const orphan = prefixLine(r.lines, NOBODY);
    assert.equal(orphan?.category, 'orphaned');

    const Bucket = need('TENANTRY_S3_BUCKET');
    assert.deepEqual(await keysUnder(s3, Bucket, `${PREFIX}/${GONE}/`), []);
    assert.deepEqual(await keysUnder(s3, Bucket, `${PREFIX}/${NOBODY}/`), [
      `${PREFIX}/${NOBODY}/${BACKUP_ID}/database.tenc`,
      `${PREFIX}/${NOBODY}/${BACKUP_ID}/manifest.json`,
    ]);
    assert.equal((await keysUnder(s3, Bucket, `${PREFIX}/${LIVE}/`)).length, 2, 'the live tenant keeps its backups');

    const described = await kms.send(new DescribeKeyCommand({ KeyId: ORPHAN_ALIAS }));
    assert.equal(described.KeyMetadata?.KeyState, 'Enabled', 'the orphaned key is reported, never scheduled for deletion');

    const audit = await keysUnder(s3, need('TENANTRY_S3_ARCHIVE_BUCKET'), `audit/${REGION}/`);
    const ours = audit.filter((k) => k.includes(`/${GONE}/`) && k.includes('SweepDelete'));
    assert.equal(ours.length, 1, `one SweepDelete audit record: ${audit.join(', ')}`);

    const live = await getJson<Tenant>('tenant', LIVE);
    assert.ok(live?.metadata.annotations?.[SWEEP_REQUESTED_ANNOTATION], 'the lagging tenant was annotated');
    const gone = await getJson<Tenant>('tenant', GONE);
    assert.equal(gone?.metadata.annotations?.[SWEEP_REQUESTED_ANNOTATION], undefined, 'the Erased tenant is not nudged');

    const summary = r.lines.at(-1)!;
    assert.equal(summary.kind, 'summary');
    assert.equal(summary.dryRun, false);
    assert.ok((summary.prefixes as { leftoversDeleted: number }).leftoversDeleted >= 1);
    assert.ok((summary.orphanedPrefixesByRegion as Record<string, number>)[REGION]! >= 1);
  });

  test('a second run finds no leftovers and deletes nothing more: the sweep is idempotent', async () => {
    const r = await sweep(configPath);
    assertNoErrorOfOurs(r);
    assert.equal(prefixLine(r.lines, GONE), undefined);
    assert.equal(prefixLine(r.lines, NOBODY)?.category, 'orphaned');
    const Bucket = need('TENANTRY_S3_BUCKET');
    assert.equal((await keysUnder(s3, Bucket, `${PREFIX}/${NOBODY}/`)).length, 2);
    assert.equal((await keysUnder(s3, Bucket, `${PREFIX}/${LIVE}/`)).length, 2);
    const audit = await keysUnder(s3, need('TENANTRY_S3_ARCHIVE_BUCKET'), `audit/${REGION}/`);
    assert.equal(audit.filter((k) => k.includes(`/${GONE}/`)).length, 1, 'no further audit record: nothing was deleted');
  });
});
