// The parts of the AWS side of erasure that need no server: names and keys, retention arithmetic,
// and the guards that refuse before anything is sent (a key outside the tenant's prefix, a record
// of another region, a retain-until in the past, a foreign alias).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KMSClient } from '@aws-sdk/client-kms';
import { putLocked } from '../../src/cloud/object-lock.js';
import { scheduleTenantKeyDeletion, TENANT_KEY_TAGS, TenantKeyConflict, tenantKeyAlias } from '../../src/cloud/tenant-key.js';
import { archiveBucketFor, RegionArchive, retainUntil, SEVEN_YEARS_DAYS } from '../../src/lifecycle/archive.js';
import { AuditTrail } from '../../src/lifecycle/audit.js';
import { deleteTenantBackups } from '../../src/lifecycle/backup-erasure.js';

/** A client whose `send` answers by command name and records what was sent. */
function fakeClient<T>(answers: Record<string, (input: Record<string, unknown>) => unknown>): { client: T; sent: string[] } {
  const sent: string[] = [];
  const client = {
    send: (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = cmd.constructor.name;
      sent.push(name);
      const answer = answers[name];
      if (!answer) return Promise.reject(new Error(`unexpected ${name}`));
      return Promise.resolve(answer(cmd.input));
    },
  };
  return { client: client as unknown as T, sent };
}

describe('names and keys', () => {
  test('tenant key alias, archive bucket and receipt key', () => {
    assert.equal(tenantKeyAlias('acme'), 'alias/tenantry/acme');
    assert.throws(() => tenantKeyAlias('Acme'), /invalid tenant name/);
    assert.throws(() => tenantKeyAlias('../aws'), /invalid tenant name/);
    assert.equal(archiveBucketFor('eu-central-1'), 'tenantry-archive-eu-central-1');
    assert.throws(() => archiveBucketFor('eu-central-1/x'), /invalid region/);
    assert.equal(
      RegionArchive.receiptKey('acme', '6f1c2a3b-1111-2222-3333-444455556666'),
      'receipts/acme/6f1c2a3b-1111-2222-3333-444455556666.json',
    );
    assert.throws(() => RegionArchive.receiptKey('acme', '../x'), /invalid tenant uid/);
  });

  test('audit keys sort by region, day and tenant, and carry a key-safe ISO instant', () => {
    const at = new Date('2028-02-29T23:59:59.999Z');
    assert.equal(
      AuditTrail.keyFor('ap-south-1', 'acme', at, 'EraseStep:KmsKey', 'abc123'),
      'audit/ap-south-1/2028/02/29/acme/20280229T235959.999Z-EraseStep-KmsKey-abc123.json',
    );
  });

  test('retention: whole 24-hour days; the default is never shorter than 7 calendar years', () => {
    const now = new Date('2026-12-02T00:00:00.000Z');
    assert.equal(retainUntil(now, 1).toISOString(), '2026-12-03T00:00:00.000Z');
    assert.throws(() => retainUntil(now, 0), /whole number of days/);
    assert.throws(() => retainUntil(now, 1.5), /whole number of days/);
    // Every start day over a 28-year leap cycle: 7 calendar years later is never after the lock ends.
    for (let d = 0; d < 28 * 366; d += 1) {
      const start = new Date(Date.UTC(2024, 0, 1 + d));
      const seven = new Date(start);
      seven.setUTCFullYear(start.getUTCFullYear() + 7);
      assert.ok(retainUntil(start, SEVEN_YEARS_DAYS) >= seven, start.toISOString());
    }
  });
});

describe('guards that refuse before anything is sent', () => {
  test('putLocked refuses a retain-until that is not in the future', async () => {
    const { client, sent } = fakeClient<S3Client>({});
    for (const retainUntil of [new Date(Date.now() - 1), new Date(Number.NaN)]) {
      await assert.rejects(putLocked(client, { bucket: 'b', key: 'k', body: 'x', retainUntil }), /not a date in the future/);
    }
    assert.deepEqual(sent, []);
  });

  test('putLocked sends COMPLIANCE, Content-MD5, If-None-Match and SSE-KMS; 412 means the record exists', async () => {
    let input: Record<string, unknown> = {};
    const ok = fakeClient<S3Client>({ PutObjectCommand: (i) => ((input = i), { VersionId: 'v1', ETag: '"e"' }) });
    const until = new Date(Date.now() + 60_000);
    assert.deepEqual(await putLocked(ok.client, { bucket: 'b', key: 'k', body: 'hello', retainUntil: until, kmsKeyId: 'alias/billing' }), {
      versionId: 'v1',
      etag: '"e"',
    });
    assert.equal(input['ObjectLockMode'], 'COMPLIANCE');
    assert.equal(input['ObjectLockRetainUntilDate'], until);
    assert.equal(input['ContentMD5'], 'XUFAKrxLKna5cZ2REBfFkg==');
    assert.equal(input['IfNoneMatch'], '*');
    assert.equal(input['ServerSideEncryption'], 'aws:kms');
    assert.equal(input['SSEKMSKeyId'], 'alias/billing');
    const exists = {
      send: () =>
        Promise.reject(
          Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
            name: 'PreconditionFailed',
            $metadata: { httpStatusCode: 412 },
          }),
        ),
    } as unknown as S3Client;
    await assert.rejects(putLocked(exists, { bucket: 'b', key: 'k', body: 'x', retainUntil: until }), { name: 'LockedObjectExists' });
  });

  test('an audit record of another region is refused', async () => {
    const { client, sent } = fakeClient<S3Client>({});
    const trail = new AuditTrail(client, { region: 'eu-west-1' });
    await assert.rejects(
      trail.append({ actor: 'a', action: 'Close', tenant: 'acme', uid: 'u-1', region: 'eu-central-1', result: 'Succeeded' }),
      /belongs in that region's archive/,
    );
    await assert.rejects(
      trail.append({ actor: 'a', action: 'Drop' as never, tenant: 'acme', uid: 'u-1', region: 'eu-west-1', result: 'Succeeded' }),
      /unknown audit action/,
    );
    assert.deepEqual(sent, []);
  });

  test('deleteTenantBackups stops at a listed key outside the prefix and deletes nothing', async () => {
    const { client, sent } = fakeClient<S3Client>({
      ListMultipartUploadsCommand: () => ({}),
      GetBucketVersioningCommand: () => ({}),
      ListObjectsV2Command: () => ({
        Contents: [
          { Key: 'it/acme/1/manifest.json', Size: 1 },
          { Key: 'it/acme-2/1/manifest.json', Size: 1 },
        ],
      }),
      DeleteObjectsCommand: () => ({}),
    });
    await assert.rejects(
      deleteTenantBackups(client, { bucket: 'b', prefix: 'it', tenant: 'acme' }),
      /refusing key "it\/acme-2\/1\/manifest.json"/,
    );
    assert.ok(!sent.includes('DeleteObjectsCommand'), sent.join(', '));
    const dotted = fakeClient<S3Client>({
      ListMultipartUploadsCommand: () => ({}),
      GetBucketVersioningCommand: () => ({ Status: 'Enabled' }),
      ListObjectVersionsCommand: () => ({ Versions: [{ Key: 'it/acme/../acme-2/x', VersionId: 'v', Size: 1 }] }),
    });
    await assert.rejects(deleteTenantBackups(dotted.client, { bucket: 'b', prefix: 'it', tenant: 'acme' }), /refusing key/);
  });

  test('scheduleTenantKeyDeletion refuses a key whose uid tag is another tenant’s, before ScheduleKeyDeletion', async () => {
    const { client, sent } = fakeClient<KMSClient>({
      DescribeKeyCommand: () => ({ KeyMetadata: { Arn: 'arn:aws:kms:eu-west-1:111122223333:key/k', KeyId: 'k', KeyState: 'Enabled' } }),
      ListResourceTagsCommand: () => ({
        Tags: [
          { TagKey: TENANT_KEY_TAGS.tenant, TagValue: 'acme' },
          { TagKey: TENANT_KEY_TAGS.uid, TagValue: 'old-uid' },
        ],
      }),
    });
    await assert.rejects(
      scheduleTenantKeyDeletion(client, { tenant: 'acme', uid: 'new-uid', keyId: 'alias/tenantry/acme' }),
      TenantKeyConflict,
    );
    assert.ok(!sent.includes('ScheduleKeyDeletionCommand'), sent.join(', '));
  });
});
