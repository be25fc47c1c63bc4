// Integration test of the services the test driver starts next to the control plane
// (test/env/services.ts), used the way Tenantry and its tests use them: the KMS through the AWS
// SDK (data keys bound to an encryption context), the S3 server through the SDK with a path-style
// endpoint (multipart upload with SSE-KMS, Object Lock, identities scoped to a tenant's prefix),
// and both databases through their command-line clients.
//
// It writes objects under services-test/ and backups/tenant-*/services-test/ and leaves them (the
// locked ones cannot be deleted); the environment's data is removed when the run ends.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DecryptCommand, DescribeKeyCommand, GenerateDataKeyCommand, KMSClient, type DecryptCommandInput } from '@aws-sdk/client-kms';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { uploadStream } from '../../src/cloud/stream-upload.js';
import { REGIONS, type ScopedIdentity } from '../env/services.js';
import { runCaptured } from '../support/kubectl.js';

/** Returns a variable the test driver exports, failing loudly when the test runs outside it. */
function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run integration tests through \`npm run test:integration\``);
  return v;
}

const RUN = randomBytes(4).toString('hex');
const MiB = 1024 * 1024;

function kmsClient(): KMSClient {
  // The emulator does not check signatures; any credentials do.
  return new KMSClient({
    region: env('TENANTRY_AWS_REGION'),
    endpoint: env('TENANTRY_KMS_ENDPOINT'),
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

function s3Client(
  creds = { accessKeyId: env('TENANTRY_S3_ACCESS_KEY_ID'), secretAccessKey: env('TENANTRY_S3_SECRET_ACCESS_KEY') },
): S3Client {
  return new S3Client({
    region: env('TENANTRY_AWS_REGION'),
    endpoint: env('TENANTRY_S3_ENDPOINT'),
    forcePathStyle: true,
    credentials: creds,
  });
}

function scoped(): Record<string, ScopedIdentity> {
  return JSON.parse(env('TENANTRY_S3_SCOPED')) as Record<string, ScopedIdentity>;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

async function readObject(s3: S3Client, Bucket: string, Key: string): Promise<Uint8Array> {
  const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
  assert.ok(got.Body, `GetObject ${Key} returned no body`);
  return got.Body.transformToByteArray();
}

/** Asserts that a promise rejects with an S3 error of one of the given codes. */
async function rejectsWith(p: Promise<unknown>, codes: string[], what: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof S3ServiceException, `${what}: expected an S3 error, got ${String(e)}`);
    assert.ok(codes.includes(e.name), `${what}: expected ${codes.join(' or ')}, got ${e.name} (${e.message})`);
    return true;
  });
}

describe('KMS emulator', () => {
  test('every region has a key alias, and the exported key ids are the test region aliases', async () => {
    const kms = kmsClient();
    const region = env('TENANTRY_AWS_REGION');
    const arnOf = async (KeyId: string) => (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.Arn;
    assert.equal(await arnOf(`alias/tenantry-${region}`), env('TENANTRY_KMS_KEY_ID'));
    assert.equal(await arnOf(`alias/tenantry-${region}-other`), env('TENANTRY_KMS_KEY_ID_OTHER'));
    assert.notEqual(env('TENANTRY_KMS_KEY_ID'), env('TENANTRY_KMS_KEY_ID_OTHER'));
    for (const r of REGIONS) assert.match((await arnOf(`alias/tenantry-${r}`)) ?? '', /^arn:aws:kms:/, `alias/tenantry-${r}`);
    // The billing key of each region is a key of its own, never the region's backup key.
    assert.equal(await arnOf(`alias/tenantry-billing-${region}`), env('TENANTRY_KMS_BILLING_KEY_ID'));
    for (const r of REGIONS) {
      const billing = await arnOf(`alias/tenantry-billing-${r}`);
      assert.match(billing ?? '', /^arn:aws:kms:/, `alias/tenantry-billing-${r}`);
      assert.notEqual(billing, await arnOf(`alias/tenantry-${r}`));
    }
  });

  test('a data key decrypts with its encryption context and fails with another one or another key', async () => {
    const kms = kmsClient();
    const keyId = env('TENANTRY_KMS_KEY_ID');
    const context = { tenant: 'tenant-a', purpose: 'backup' };
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: context }));
    assert.equal(dk.Plaintext?.length, 32);
    assert.equal(dk.KeyId, keyId);
    assert.ok(dk.CiphertextBlob && dk.CiphertextBlob.length > 32);

    const back = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: context }));
    assert.deepEqual(Buffer.from(back.Plaintext ?? []), Buffer.from(dk.Plaintext ?? []));
    assert.equal(back.KeyId, keyId);

    const failsWith = async (input: DecryptCommandInput, names: string[], what: string) =>
      assert.rejects(kms.send(new DecryptCommand(input)), (e: Error) => {
        assert.ok(names.includes(e.name), `${what}: expected ${names.join(' or ')}, got ${e.name}`);
        return true;
      });
    await failsWith(
      { CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { ...context, tenant: 'tenant-b' } },
      ['InvalidCiphertextException'],
      'another context',
    );
    await failsWith({ CiphertextBlob: dk.CiphertextBlob }, ['InvalidCiphertextException'], 'no context');
    // AWS answers IncorrectKeyException; local-kms tries the named key and fails to decrypt.
    await failsWith(
      { CiphertextBlob: dk.CiphertextBlob, EncryptionContext: context, KeyId: env('TENANTRY_KMS_KEY_ID_OTHER') },
      ['IncorrectKeyException', 'InvalidCiphertextException'],
      'another key',
    );
  });
});

describe('S3 server', () => {
  test('a 12 MiB multipart upload with SSE-KMS reads back equal and reports its key', async () => {
    const s3 = s3Client();
    const Bucket = env('TENANTRY_S3_BUCKET');
    const Key = `services-test/${RUN}/multipart.bin`;
    const keyId = env('TENANTRY_KMS_KEY_ID');
    const body = randomBytes(12 * MiB);
    // 5 MiB parts (the S3 minimum): three parts, the last one short.
    const up = await uploadStream(s3, { Bucket, Key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }, Readable.from([body]), {
      partSize: 5 * MiB,
      queueSize: 2,
    });
    assert.equal(up.parts, 3, 'the upload should have sent three parts');

    const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
    assert.equal(head.ContentLength, body.length);
    assert.equal(head.ServerSideEncryption, 'aws:kms');
    assert.equal(head.SSEKMSKeyId, keyId);
    assert.equal(sha256(await readObject(s3, Bucket, Key)), sha256(body));

    // The server really asks the KMS for the data key: a key the KMS does not have fails the write.
    await assert.rejects(
      s3.send(
        new PutObjectCommand({
          Bucket,
          Key: `services-test/${RUN}/no-key.bin`,
          Body: 'x',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: 'alias/tenantry-no-such-key',
        }),
      ),
    );

    // Objects without a lock delete as usual.
    await s3.send(new DeleteObjectCommand({ Bucket, Key }));
    await rejectsWith(s3.send(new HeadObjectCommand({ Bucket, Key })), ['NotFound', 'NoSuchKey'], 'deleted object');
  });

  test("every region's archive bucket has Object Lock and a COMPLIANCE-locked version cannot be deleted", async () => {
    const s3 = s3Client();
    const Bucket = env('TENANTRY_S3_ARCHIVE_BUCKET');
    const Key = `services-test/${RUN}/locked.txt`;
    for (const r of REGIONS) {
      const lock = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: `tenantry-archive-${r}` }));
      assert.equal(lock.ObjectLockConfiguration?.ObjectLockEnabled, 'Enabled', `tenantry-archive-${r}`);
    }

    const until = new Date(Date.now() + 24 * 3600_000);
    const put = await s3.send(
      new PutObjectCommand({ Bucket, Key, Body: 'kept', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until }),
    );
    assert.ok(put.VersionId, 'an Object Lock bucket is versioned: PutObject returns a version id');
    const retention = await s3.send(new GetObjectRetentionCommand({ Bucket, Key, VersionId: put.VersionId }));
    assert.equal(retention.Retention?.Mode, 'COMPLIANCE');

    await rejectsWith(
      s3.send(new DeleteObjectCommand({ Bucket, Key, VersionId: put.VersionId })),
      ['AccessDenied'],
      'delete of a locked version',
    );
    assert.equal(Buffer.from(await readObject(s3, Bucket, Key)).toString(), 'kept');
  });

  test("a tenant's identity reads and writes its prefix only", async () => {
    const ids = scoped();
    const a = ids['tenant-a'];
    const b = ids['tenant-b'];
    assert.ok(a && b, 'TENANTRY_S3_SCOPED should hold tenant-a and tenant-b');
    assert.equal(a.bucket, env('TENANTRY_S3_BUCKET'));
    const asA = s3Client(a);
    const asB = s3Client(b);
    const keyA = `${a.prefix}services-test/${RUN}/data.bin`;
    const keyB = `${b.prefix}services-test/${RUN}/data.bin`;

    // A backup as the tenant writes it: multipart with SSE-KMS, under its own prefix.
    const body = randomBytes(6 * MiB);
    await uploadStream(
      asA,
      { Bucket: a.bucket, Key: keyA, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: env('TENANTRY_KMS_KEY_ID') },
      Readable.from([body]),
      { partSize: 5 * MiB, queueSize: 2 },
    );
    assert.equal(sha256(await readObject(asA, a.bucket, keyA)), sha256(body));
    const listed = await asA.send(new ListObjectsV2Command({ Bucket: a.bucket, Prefix: `${a.prefix}services-test/${RUN}/` }));
    assert.deepEqual(
      listed.Contents?.map((o) => o.Key),
      [keyA],
    );
    await asB.send(new PutObjectCommand({ Bucket: b.bucket, Key: keyB, Body: 'b' }));

    await rejectsWith(
      asA.send(new GetObjectCommand({ Bucket: b.bucket, Key: keyB })),
      ['AccessDenied'],
      "tenant-a reading tenant-b's object",
    );
    await rejectsWith(
      asA.send(new PutObjectCommand({ Bucket: b.bucket, Key: keyB, Body: 'overwritten' })),
      ['AccessDenied'],
      "tenant-a writing tenant-b's prefix",
    );
    await rejectsWith(
      asA.send(new DeleteObjectCommand({ Bucket: b.bucket, Key: keyB })),
      ['AccessDenied'],
      "tenant-a deleting tenant-b's object",
    );
    await rejectsWith(
      asA.send(new ListObjectsV2Command({ Bucket: b.bucket, Prefix: b.prefix })),
      ['AccessDenied'],
      "tenant-a listing tenant-b's prefix",
    );
    await rejectsWith(asA.send(new ListObjectsV2Command({ Bucket: a.bucket })), ['AccessDenied'], 'tenant-a listing the whole bucket');
    await rejectsWith(
      asA.send(new PutObjectCommand({ Bucket: env('TENANTRY_S3_ARCHIVE_BUCKET'), Key: keyA, Body: 'x' })),
      ['AccessDenied'],
      'tenant-a writing another bucket',
    );
    assert.equal(Buffer.from(await readObject(asB, b.bucket, keyB)).toString(), 'b');
  });
});

describe('databases', () => {
  test('PostgreSQL answers SELECT 1 to its superuser over TCP and refuses a wrong password', async () => {
    const psql = join(env('TENANTRY_PG_BINDIR'), 'psql');
    const args = [
      '-h',
      env('TENANTRY_PG_HOST'),
      '-p',
      env('TENANTRY_PG_PORT'),
      '-U',
      env('TENANTRY_PG_USER'),
      '-d',
      'postgres',
      '-w',
      '-Atc',
      'SELECT 1',
    ];
    const ok = await runCaptured(psql, args, undefined, { ...process.env, PGPASSWORD: env('TENANTRY_PG_PASSWORD') });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), '1');
    const bad = await runCaptured(psql, args, undefined, { ...process.env, PGPASSWORD: 'wrong' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /password authentication failed/);
  });

  test('MariaDB answers SELECT 1 to its superuser over TCP and refuses a wrong password', async () => {
    const args = [
      '--no-defaults',
      '--protocol=TCP',
      '-h',
      env('TENANTRY_MARIADB_HOST'),
      '-P',
      env('TENANTRY_MARIADB_PORT'),
      '-u',
      env('TENANTRY_MARIADB_USER'),
      '-N',
      '-e',
      'SELECT 1',
    ];
    const ok = await runCaptured('mariadb', args, undefined, { ...process.env, MYSQL_PWD: env('TENANTRY_MARIADB_PASSWORD') });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), '1');
    const bad = await runCaptured('mariadb', args, undefined, { ...process.env, MYSQL_PWD: 'wrong' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Access denied/);
  });
});
