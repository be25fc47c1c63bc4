// The AWS side of erasure against the real KMS emulator and S3 server: records locked with
// S3 Object Lock that the server refuses to delete, per-tenant KMS keys owned by tags (a foreign
// key under the tenant's alias survives), backups under the regional key that still restore after
// the tenant moved to its own key, the receipt and audit trail, and the deletion of exactly one
// tenant's backup prefix.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, KMSClient, ListResourceTagsCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectRetentionCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createAgentClients } from '../../src/backup/clients.js';
import { settingsFromEnv } from '../../src/backup/settings.js';
import { KmsDataKeys, KmsError } from '../../src/cloud/kms.js';
import { LockedObjectExists, putLocked } from '../../src/cloud/object-lock.js';
import {
  describeTenantKey,
  ensureTenantKey,
  scheduleTenantKeyDeletion,
  TENANT_KEY_TAGS,
  TenantKeyConflict,
  tenantKeyAlias,
  TenantKeyPendingDeletion,
} from '../../src/cloud/tenant-key.js';
import { RegionArchive, SEVEN_YEARS_DAYS } from '../../src/lifecycle/archive.js';
import { AuditTrail, AuditTrails } from '../../src/lifecycle/audit.js';
import { deleteTenantBackups } from '../../src/lifecycle/backup-erasure.js';
import { runAgent } from '../support/agent.js';
import { adminS3, agentEnv, countNotes, dbTarget, need, seedDatabase, seedFiles, sql } from '../support/backup-env.js';

const RUN = randomBytes(3).toString('hex');
const DAY_MS = 24 * 3600_000;

function kmsClient(): KMSClient {
  return new KMSClient({
    region: need('TENANTRY_AWS_REGION'),
    endpoint: need('TENANTRY_KMS_ENDPOINT'),
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** Asserts that a promise rejects with an S3/KMS error of one of the names. */
async function rejectsNamed(p: Promise<unknown>, names: string[], what: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    const name = (e as { name?: string }).name ?? String(e);
    assert.ok(names.includes(name), `${what}: expected ${names.join(' or ')}, got ${name}: ${(e as Error).message}`);
    return true;
  });
}

async function readText(s3: S3Client, Bucket: string, Key: string, VersionId?: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key, ...(VersionId ? { VersionId } : {}) }));
  return out.Body!.transformToString('utf8');
}

describe('records under Object Lock (putLocked)', () => {
  const s3 = adminS3();
  const Bucket = need('TENANTRY_S3_ARCHIVE_BUCKET');
  after(() => s3.destroy());

  test('a COMPLIANCE-locked record: retention as asked, SSE-KMS under the billing key, and no delete, bypass or shortening', async () => {
    const Key = `lifecycle-cloud/${RUN}/billing.json`;
    const until = new Date(Date.now() + SEVEN_YEARS_DAYS * DAY_MS);
    const billingKey = need('TENANTRY_KMS_BILLING_KEY_ID');
    const put = await putLocked(s3, {
      bucket: Bucket,
      key: Key,
      body: '{"invoices":3}\n',
      retainUntil: until,
      kmsKeyId: billingKey,
      contentType: 'application/json',
    });
    assert.ok(put.versionId, 'a locked bucket is versioned: the write has a version id');
    assert.ok(put.etag);

    const retention = await s3.send(new GetObjectRetentionCommand({ Bucket, Key, VersionId: put.versionId }));
    assert.equal(retention.Retention?.Mode, 'COMPLIANCE');
    const held = retention.Retention?.RetainUntilDate;
    assert.ok(held, 'GetObjectRetention returns the retain-until date');
    assert.ok(Math.abs(held.getTime() - until.getTime()) < 1000, `retain-until ${held.toISOString()} is not ${until.toISOString()}`);
    assert.ok(held.getTime() - Date.now() >= 7 * 365 * DAY_MS, 'at least 7 years');

    const head = await s3.send(new HeadObjectCommand({ Bucket, Key, VersionId: put.versionId }));
    assert.equal(head.ServerSideEncryption, 'aws:kms');
    assert.equal(head.ObjectLockMode, 'COMPLIANCE');

    await rejectsNamed(
      s3.send(new DeleteObjectCommand({ Bucket, Key, VersionId: put.versionId })),
      ['AccessDenied'],
      'delete of the locked version',
    );
    await rejectsNamed(
      s3.send(new DeleteObjectCommand({ Bucket, Key, VersionId: put.versionId, BypassGovernanceRetention: true })),
      ['AccessDenied'],
      'delete of the locked version with x-amz-bypass-governance-retention',
    );
    await rejectsNamed(
      s3.send(
        new PutObjectRetentionCommand({
          Bucket,
          Key,
          VersionId: put.versionId,
          Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(Date.now() + DAY_MS) },
        }),
      ),
      ['AccessDenied', 'InvalidRequest', 'InvalidArgument'],
      'shortening the retention',
    );
    await rejectsNamed(
      s3.send(
        new PutObjectRetentionCommand({
          Bucket,
          Key,
          VersionId: put.versionId,
          BypassGovernanceRetention: true,
          Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + DAY_MS) },
        }),
      ),
      ['AccessDenied', 'InvalidRequest', 'InvalidArgument'],
      'turning COMPLIANCE into GOVERNANCE',
    );
    const after = await s3.send(new GetObjectRetentionCommand({ Bucket, Key, VersionId: put.versionId }));
    assert.equal(after.Retention?.Mode, 'COMPLIANCE');
    assert.equal(after.Retention?.RetainUntilDate?.getTime(), held.getTime());
    assert.equal(await readText(s3, Bucket, Key, put.versionId), '{"invoices":3}\n');
  });

  test('a record is never overwritten: a second write of the key is refused and the first stays', async () => {
    const Key = `lifecycle-cloud/${RUN}/once.json`;
    const until = new Date(Date.now() + DAY_MS);
    const first = await putLocked(s3, { bucket: Bucket, key: Key, body: 'first', retainUntil: until });
    await assert.rejects(putLocked(s3, { bucket: Bucket, key: Key, body: 'second', retainUntil: until }), LockedObjectExists);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: Key }));
    assert.deepEqual(
      versions.Versions?.map((v) => v.VersionId),
      [first.versionId],
    );
    assert.equal(await readText(s3, Bucket, Key), 'first');
  });

  test('a retain-until in the past is refused before anything is written', async () => {
    const Key = `lifecycle-cloud/${RUN}/past.json`;
    await assert.rejects(
      putLocked(s3, { bucket: Bucket, key: Key, body: 'x', retainUntil: new Date(Date.now() - 1000) }),
      /not a date in the future/,
    );
    await rejectsNamed(s3.send(new HeadObjectCommand({ Bucket, Key })), ['NotFound', 'NoSuchKey'], 'the refused record');
  });
});

describe('per-tenant KMS keys', () => {
  const kms = kmsClient();
  const region = need('TENANTRY_AWS_REGION');
  after(() => kms.destroy());

  test('ensureTenantKey creates a tagged symmetric key behind alias/tenantry/<tenant> and reuses it', async () => {
    const owner = { tenant: `keyed-${RUN}`, uid: randomUUID(), region };
    const first = await ensureTenantKey(kms, owner);
    assert.equal(first.created, true);
    assert.equal(first.alias, `alias/tenantry/${owner.tenant}`);
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: first.alias }))).KeyMetadata;
    assert.equal(meta?.Arn, first.keyArn);
    assert.equal(meta?.KeyUsage, 'ENCRYPT_DECRYPT');
    assert.equal(meta?.KeySpec ?? meta?.CustomerMasterKeySpec, 'SYMMETRIC_DEFAULT');
    const tags = Object.fromEntries(
      ((await kms.send(new ListResourceTagsCommand({ KeyId: first.keyArn }))).Tags ?? []).map((t) => [t.TagKey, t.TagValue]),
    );
    assert.deepEqual(tags, {
      [TENANT_KEY_TAGS.tenant]: owner.tenant,
      [TENANT_KEY_TAGS.uid]: owner.uid,
      [TENANT_KEY_TAGS.region]: region,
      [TENANT_KEY_TAGS.managedBy]: 'tenantry',
    });
    const again = await ensureTenantKey(kms, owner);
    assert.deepEqual(again, { keyArn: first.keyArn, alias: first.alias, created: false });
    const state = await describeTenantKey(kms, owner);
    assert.equal(state?.state, 'Enabled');
    assert.equal(state?.ours, true);
  });

  test('two racing ensureTenantKey calls end with one key behind the alias; the loser retires its own', async () => {
    const owner = { tenant: `race-${RUN}`, uid: randomUUID(), region };
    const [a, b] = await Promise.all([ensureTenantKey(kms, owner), ensureTenantKey(kms, owner)]);
    assert.equal(a.keyArn, b.keyArn);
    const behind = await describeTenantKey(kms, owner);
    assert.equal(behind?.keyArn, a.keyArn);
    assert.equal(behind?.state, 'Enabled');
  });

  test('a foreign key under the alias is a TenantKeyConflict and survives scheduleTenantKeyDeletion', async () => {
    const owner = { tenant: `foreign-${RUN}`, uid: randomUUID(), region };
    // Someone else's key, with the tenant's name but another uid (an earlier tenant, or not ours at all).
    const foreign = await kms.send(
      new CreateKeyCommand({ Description: 'not ours', Tags: [{ TagKey: TENANT_KEY_TAGS.tenant, TagValue: owner.tenant }] }),
    );
    const foreignArn = foreign.KeyMetadata!.Arn!;
    await kms.send(new CreateAliasCommand({ AliasName: tenantKeyAlias(owner.tenant), TargetKeyId: foreign.KeyMetadata!.KeyId! }));

    await assert.rejects(ensureTenantKey(kms, owner), (e: unknown) => {
      assert.ok(e instanceof TenantKeyConflict, String(e));
      assert.equal(e.keyArn, foreignArn);
      assert.match(e.message, /not tenant foreign-.*left untouched/);
      return true;
    });
    for (const keyId of [tenantKeyAlias(owner.tenant), foreignArn]) {
      await assert.rejects(scheduleTenantKeyDeletion(kms, { ...owner, keyId }), TenantKeyConflict);
    }
    const still = (await kms.send(new DescribeKeyCommand({ KeyId: tenantKeyAlias(owner.tenant) }))).KeyMetadata;
    assert.equal(still?.Arn, foreignArn, 'the alias still names the foreign key');
    assert.equal(still?.KeyState, 'Enabled');
  });

  test('scheduleTenantKeyDeletion: PendingDeletion with a 7-day window, idempotent, and the key is unusable after', async () => {
    const owner = { tenant: `doomed-${RUN}`, uid: randomUUID(), region };
    const { keyArn } = await ensureTenantKey(kms, owner);
    const dry = await scheduleTenantKeyDeletion(kms, { ...owner, keyId: keyArn, dryRun: true });
    assert.equal(dry.outcome, 'dry-run');
    assert.equal((await describeTenantKey(kms, owner))?.state, 'Enabled', 'a dry run changes nothing');
    // Another tenant's uid does not own it.
    await assert.rejects(scheduleTenantKeyDeletion(kms, { ...owner, uid: randomUUID(), keyId: keyArn }), TenantKeyConflict);

    const before = Date.now();
    const done = await scheduleTenantKeyDeletion(kms, { ...owner, keyId: keyArn });
    assert.equal(done.outcome, 'scheduled');
    assert.ok(done.deletionDate);
    const window = done.deletionDate.getTime() - before;
    assert.ok(window > 6.9 * DAY_MS && window < 7.1 * DAY_MS, `deletion in ${window / DAY_MS} days, not 7`);
    const state = await describeTenantKey(kms, owner);
    assert.equal(state?.state, 'PendingDeletion');
    assert.equal(state?.keyArn, keyArn, 'the alias is kept and names the doomed key');

    const again = await scheduleTenantKeyDeletion(kms, { ...owner, keyId: tenantKeyAlias(owner.tenant) });
    assert.equal(again.outcome, 'already');
    assert.equal(again.deletionDate?.getTime(), done.deletionDate.getTime());
    await assert.rejects(ensureTenantKey(kms, owner), TenantKeyPendingDeletion);
    const keys = new KmsDataKeys({
      region,
      endpoint: need('TENANTRY_KMS_ENDPOINT'),
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      await assert.rejects(
        keys.generate(keyArn, { tenant: owner.tenant }),
        (e: unknown) => e instanceof KmsError && e.failure === 'key-unusable',
      );
    } finally {
      keys.close();
    }
  });
});

describe("a tenant's own key with the backup agent", () => {
  const kms = kmsClient();
  const region = need('TENANTRY_AWS_REGION');
  const tenant = `ownkey-${RUN}`;
  const db = dbTarget('postgres', `app_ownkey_${RUN}`);
  let files = '';
  before(async () => {
    await seedDatabase(db, 200);
    files = seedFiles();
  });
  after(() => {
    rmSync(files, { recursive: true, force: true });
    kms.destroy();
  });

  test('a backup made under the regional key restores after the tenant moved to its own key; its own backups die with the key', async () => {
    const regional = agentEnv(tenant, db, files);
    const old = await runAgent(['backup', 'run'], regional);
    assert.equal(old.code, 0, old.stderr.slice(-3000));
    const oldId = String(old.result?.['backupId']);

    const uid = randomUUID();
    const { keyArn, alias } = await ensureTenantKey(kms, { tenant, uid, region });
    const own = agentEnv(tenant, db, files, { TENANTRY_KMS_KEY_ID: alias });
    const fresh = await runAgent(['backup', 'run'], own);
    assert.equal(fresh.code, 0, fresh.stderr.slice(-3000));
    const freshId = String(fresh.result?.['backupId']);
    const clients = createAgentClients(settingsFromEnv(own));
    try {
      assert.equal((await clients.store.manifest(oldId)).kmsKeyId, need('TENANTRY_KMS_KEY_ID'));
      assert.equal((await clients.store.manifest(freshId)).kmsKeyId, keyArn, 'the new backup is under the tenant key');
    } finally {
      clients.close();
    }

    await sql(db, 'DELETE FROM notes WHERE id <= 50;');
    const restore = await runAgent(['restore', '--tenant', tenant, '--backup', oldId], own);
    assert.equal(restore.code, 0, `the regional-key backup does not restore under the tenant key:\n${restore.stderr.slice(-3000)}`);
    assert.equal(await countNotes(db), 200);

    // Crypto-shredding: once the tenant key is pending deletion, its backups can no longer be read.
    await scheduleTenantKeyDeletion(kms, { tenant, uid, keyId: keyArn });
    const verify = await runAgent(['backup', 'verify', freshId], own);
    assert.notEqual(verify.code, 0, 'a backup under a key pending deletion still verified');
    // The parts are SSE-KMS under the same key too, so S3 itself fails to read them (SeaweedFS answers
    // InternalError when its KMS refuses; AWS answers KMS.KMSInvalidStateException) before the agent's Decrypt.
    assert.match(verify.stderr, /pending deletion|cannot be used|InternalError|KMSInvalidState/);
  });
});

describe('the archive: receipts and audit trail', () => {
  const s3 = adminS3();
  const region = need('TENANTRY_AWS_REGION');
  const billingKey = need('TENANTRY_KMS_BILLING_KEY_ID');
  after(() => s3.destroy());

  test('writeReceipt stores receipts/<tenant>/<uid>.json locked for 7 years, once; a delete of it is refused', async () => {
    const archive = new RegionArchive(s3, { region, kmsKeyId: billingKey });
    assert.equal(archive.bucket, need('TENANTRY_S3_ARCHIVE_BUCKET'));
    const tenant = `erased-${RUN}`;
    const uid = randomUUID();
    const receipt = { erasedAt: new Date().toISOString(), backupObjectsDeleted: 4, backupBytesDeleted: 1234, billingArchive: '' };
    const stored = await archive.writeReceipt(tenant, uid, receipt);
    assert.equal(stored.key, `receipts/${tenant}/${uid}.json`);
    assert.equal(stored.location, `s3://${archive.bucket}/${stored.key}`);
    const retention = await s3.send(new GetObjectRetentionCommand({ Bucket: archive.bucket, Key: stored.key }));
    assert.equal(retention.Retention?.Mode, 'COMPLIANCE');
    assert.ok(retention.Retention!.RetainUntilDate!.getTime() - Date.now() > 7 * 365 * DAY_MS);
    const body = JSON.parse(await readText(s3, archive.bucket, stored.key)) as Record<string, unknown>;
    assert.equal(body['tenant'], tenant);
    assert.equal(body['uid'], uid);
    assert.equal(body['backupObjectsDeleted'], 4);
    assert.deepEqual(await archive.readReceipt(tenant, uid), body);
    await rejectsNamed(
      s3.send(new DeleteObjectCommand({ Bucket: archive.bucket, Key: stored.key, VersionId: stored.versionId })),
      ['AccessDenied'],
      'delete of the receipt',
    );
    // A retry (an operator restarted before it recorded the step) gets the stored receipt back.
    const retry = await archive.writeReceipt(tenant, uid, { ...receipt, backupObjectsDeleted: 0 });
    assert.equal(retry.existed, true);
    assert.equal(retry.retainUntil.getTime(), retention.Retention!.RetainUntilDate!.getTime());
    assert.equal((await archive.readReceipt(tenant, uid))?.['backupObjectsDeleted'], 4);
    assert.equal(await archive.readReceipt(tenant, randomUUID()), undefined);
  });

  test('AuditTrail.append writes one locked JSON object per record under audit/<region>/<date>/<tenant>/', async () => {
    const trail = new AuditTrail(s3, { region, kmsKeyId: billingKey });
    const tenant = `audited-${RUN}`;
    const uid = randomUUID();
    const at = new Date('2026-12-02T10:11:12.345Z');
    const a = await trail.append({
      at,
      actor: 'billing-system',
      action: 'Suspend',
      tenant,
      uid,
      region,
      result: 'Succeeded',
      details: { reason: 'TrialEnded' },
    });
    const b = await trail.append({
      at,
      actor: 'tenantry',
      action: 'EraseStep:Backups',
      tenant,
      uid,
      region,
      result: 'Succeeded',
      details: { objects: 3 },
    });
    assert.match(a.key, new RegExp(`^audit/${region}/2026/12/02/${tenant}/20261202T101112\\.345Z-Suspend-[0-9a-f]{12}\\.json$`));
    assert.match(b.key, new RegExp(`^audit/${region}/2026/12/02/${tenant}/20261202T101112\\.345Z-EraseStep-Backups-[0-9a-f]{12}\\.json$`));
    assert.notEqual(a.key, b.key);
    const text = await readText(s3, trail.bucket, b.key);
    assert.equal(text.trim().split('\n').length, 1, 'one JSON object per record');
    const record = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(
      {
        at: record['at'],
        actor: record['actor'],
        action: record['action'],
        tenant: record['tenant'],
        uid: record['uid'],
        region: record['region'],
        result: record['result'],
        details: record['details'],
      },
      {
        at: at.toISOString(),
        actor: 'tenantry',
        action: 'EraseStep:Backups',
        tenant,
        uid,
        region,
        result: 'Succeeded',
        details: { objects: 3 },
      },
    );
    const retention = await s3.send(new GetObjectRetentionCommand({ Bucket: trail.bucket, Key: b.key }));
    assert.equal(retention.Retention?.Mode, 'COMPLIANCE');
    await rejectsNamed(
      s3.send(new DeleteObjectCommand({ Bucket: trail.bucket, Key: a.key, VersionId: a.versionId })),
      ['AccessDenied'],
      'delete of an audit record',
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: trail.bucket, Prefix: `audit/${region}/2026/12/02/${tenant}/` }));
    assert.equal(listed.KeyCount, 2);
    assert.ok(!('delete' in trail) && !('remove' in trail), 'the trail can only append');

    await assert.rejects(
      trail.append({ actor: 'x', action: 'Close', tenant, uid, region: 'us-east-1', result: 'Succeeded' }),
      /belongs in that region's archive/,
    );
  });

  test("AuditTrails writes each record to its own region's bucket (P8)", async () => {
    const trails = new AuditTrails(() => s3);
    const tenant = `sydney-${RUN}`;
    const out = await trails.append({
      actor: 'tenantry',
      action: 'Close',
      tenant,
      uid: randomUUID(),
      region: 'ap-southeast-2',
      result: 'Succeeded',
    });
    assert.equal(out.bucket, 'tenantry-archive-ap-southeast-2');
    const text = await readText(s3, out.bucket, out.key);
    assert.equal((JSON.parse(text) as { region: string }).region, 'ap-southeast-2');
    const inTestRegion = await s3.send(
      new ListObjectsV2Command({ Bucket: need('TENANTRY_S3_ARCHIVE_BUCKET'), Prefix: `audit/ap-southeast-2/` }),
    );
    assert.equal(inTestRegion.KeyCount ?? 0, 0);
  });
});

describe("deleting a tenant's backups", () => {
  const s3 = adminS3();
  const Bucket = need('TENANTRY_S3_BUCKET');
  after(() => s3.destroy());

  /** Puts an object and returns its size. */
  async function put(bucket: string, key: string, bytes: number): Promise<number> {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: randomBytes(bytes) }));
    return bytes;
  }

  test('every object under exactly <prefix>/<tenant>/ goes; acme-2, a sibling key and other prefixes stay; dry run and rerun count', async () => {
    const tenant = `acme-${RUN}`;
    const mine = [
      `it/${tenant}/20261201T020000Z-aaaaaa/manifest.json`,
      `it/${tenant}/20261201T020000Z-aaaaaa/database.tenc`,
      `it/${tenant}/stray.bin`,
    ];
    const others = [
      `it/${tenant}-2/20261201T020000Z-bbbbbb/manifest.json`,
      `it/${tenant}x`,
      `other/${tenant}/20261201T020000Z-cccccc/manifest.json`,
      `${tenant}/root.bin`,
    ];
    let bytes = 0;
    for (const [i, k] of mine.entries()) bytes += await put(Bucket, k, 100 + i);
    for (const k of others) await put(Bucket, k, 10);
    await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: `it/${tenant}/20261202T020000Z-dddddd/files.tenc` }));

    const dry = await deleteTenantBackups(s3, { bucket: Bucket, prefix: 'it', tenant, dryRun: true });
    assert.deepEqual(dry, { prefix: `it/${tenant}/`, objects: 3, bytes, uploadsAborted: 1, dryRun: true });
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket, Prefix: `it/${tenant}/` }))).KeyCount, 3, 'a dry run deletes nothing');

    const done = await deleteTenantBackups(s3, { bucket: Bucket, prefix: 'it', tenant });
    assert.deepEqual(done, { ...dry, dryRun: false });
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket, Prefix: `it/${tenant}/` }))).KeyCount ?? 0, 0);
    assert.equal((await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: `it/${tenant}/` }))).Uploads?.length ?? 0, 0);
    for (const k of others) await s3.send(new HeadObjectCommand({ Bucket, Key: k }));

    const rerun = await deleteTenantBackups(s3, { bucket: Bucket, prefix: 'it', tenant });
    assert.deepEqual(rerun, { prefix: `it/${tenant}/`, objects: 0, bytes: 0, uploadsAborted: 0, dryRun: false });
  });

  test('in a versioned bucket every version and delete marker goes', async () => {
    const bucket = `lc-versioned-${RUN}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const tenant = `acme-${RUN}`;
    const key = `${tenant}/20261201T020000Z-aaaaaa/manifest.json`;
    const bytes = (await put(bucket, key, 50)) + (await put(bucket, key, 70));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    await put(bucket, `${tenant}-2/20261201T020000Z-bbbbbb/manifest.json`, 5);

    const done = await deleteTenantBackups(s3, { bucket, tenant });
    assert.deepEqual(done, { prefix: `${tenant}/`, objects: 3, bytes, uploadsAborted: 0, dryRun: false });
    const left = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `${tenant}/` }));
    assert.equal((left.Versions?.length ?? 0) + (left.DeleteMarkers?.length ?? 0), 0);
    const sibling = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: `${tenant}-2/` }));
    assert.equal(sibling.Versions?.length, 1);
    assert.deepEqual(await deleteTenantBackups(s3, { bucket, tenant }), {
      prefix: `${tenant}/`,
      objects: 0,
      bytes: 0,
      uploadsAborted: 0,
      dryRun: false,
    });
  });

  test('an invalid tenant name is refused before anything is listed', async () => {
    await assert.rejects(deleteTenantBackups(s3, { bucket: Bucket, prefix: 'it', tenant: '' }), /invalid tenant name/);
    await assert.rejects(deleteTenantBackups(s3, { bucket: Bucket, prefix: 'it', tenant: '../x' }), /invalid tenant name/);
  });
});
