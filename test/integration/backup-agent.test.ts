// The backup agent against real services: PostgreSQL and MariaDB from Debian, SeaweedFS as S3
// and local-kms as KMS, reached through the AWS SDK with an endpoint override. Each fault the
// field knows (KMS down, a dropped upload, tampered or swapped objects, another tenant's backups
// in the same bucket) must fail closed and leave live data and earlier backups as they were.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { createAgentClients } from '../../src/backup/clients.js';
import { partKey, tenantPrefix } from '../../src/backup/layout.js';
import { pruneBackups } from '../../src/backup/prune.js';
import { runBackup } from '../../src/backup/run-backup.js';
import { settingsFromEnv } from '../../src/backup/settings.js';
import { createLogger } from '../../src/log.js';
import { runAgent } from '../support/agent.js';
import { adminS3, agentEnv, countNotes, dbTarget, need, seedDatabase, seedFiles, sql } from '../support/backup-env.js';
import { startFlakyProxy } from '../support/flaky-proxy.js';

const s3 = adminS3();
// Tenant names unique to this run, so a reused environment (env:up) holds no earlier backups of them.
const RUN = randomBytes(2).toString('hex');
const bucket = () => need('TENANTRY_S3_BUCKET');
const quiet = createLogger('error');

/** Keys under a prefix of the backup bucket. */
async function keys(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function readObject(key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function writeObject(key: string, body: Buffer | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body }));
}

after(() => s3.destroy());

for (const engine of ['postgres', 'mariadb'] as const) {
  describe(`backup and restore of a ${engine} tenant`, () => {
    const tenant = `agent-${engine}-${RUN}`;
    const db = dbTarget(engine, `app_${engine}`);
    let files = '';
    before(async () => {
      await seedDatabase(db, 2000);
      files = seedFiles();
    });
    after(() => rmSync(files, { recursive: true, force: true }));

    test('`tenantry backup run` stores an encrypted, verified backup; `tenantry restore` brings back a deleted row and file', async () => {
      const env = agentEnv(tenant, db, files);
      const backup = await runAgent(['backup', 'run'], env);
      assert.equal(backup.code, 0, backup.stderr.slice(-3000));
      const id = String(backup.result?.['backupId']);
      assert.equal(backup.result?.['verified'], true);
      const prefix = `${tenantPrefix('it', tenant)}${id}/`;
      assert.deepEqual(await keys(prefix), [`${prefix}database.tenc`, `${prefix}files.tenc`, `${prefix}manifest.json`]);
      // Progress lines (bytes and rate) are in the log.
      assert.match(backup.stderr, /"mbPerSecond":/);
      // Client-side encrypted: the stored bytes start with the format's magic, and no row text is readable.
      const stored = await readObject(`${prefix}database.tenc`);
      assert.equal(stored.subarray(0, 8).toString('latin1'), 'TNTRYENC');
      assert.ok(!stored.includes(Buffer.from('ünïcødé')), 'plaintext rows in the stored object');
      // Defence in depth: the server stored it with SSE-KMS under the region's key.
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: `${prefix}database.tenc` }));
      assert.equal(head.ServerSideEncryption, 'aws:kms');

      // A drill restores the backup into scratch space, times it, and leaves nothing behind.
      const drill = await runAgent(['backup', 'verify', id, '--drill'], env);
      assert.equal(drill.code, 0, drill.stderr.slice(-3000));
      assert.equal(drill.result?.['method'], 'drill');
      assert.ok(Number(drill.result?.['bytesPerSecond']) > 0);
      const scratch =
        engine === 'postgres'
          ? await sql(db, "SELECT datname FROM pg_database WHERE datname LIKE 'tenantry_drill%';", 'postgres')
          : await sql(db, "SHOW DATABASES LIKE 'tenantry_drill%';");
      assert.equal(scratch.trim(), '', 'the drill left its scratch database');

      await sql(db, 'DELETE FROM notes WHERE id = 42;');
      unlinkSync(join(files, 'uploads', 'invoice 2026.pdf'));
      assert.equal(await countNotes(db), 1999);

      const restore = await runAgent(['restore', '--tenant', tenant, '--backup', 'latest'], env);
      assert.equal(restore.code, 0, restore.stderr.slice(-3000));
      assert.equal(restore.result?.['backupId'], id);
      assert.equal(await countNotes(db), 2000);
      assert.equal((await sql(db, 'SELECT body FROM notes WHERE id = 42;')).trim(), 'note 42 ünïcødé');
      assert.equal(readFileSync(join(files, 'uploads', 'invoice 2026.pdf')).length, 300_000);
    });
  });
}

describe('faults', () => {
  const tenant = `agent-faults-${RUN}`;
  const db = dbTarget('postgres', 'app_faults');
  let files = '';
  let good = '';
  let env: Record<string, string>;
  before(async () => {
    await seedDatabase(db, 500);
    files = seedFiles();
    env = agentEnv(tenant, db, files);
    const r = await runAgent(['backup', 'run'], env);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    good = String(r.result?.['backupId']);
  });
  after(() => rmSync(files, { recursive: true, force: true }));

  /** Runs a backup of the tenant and flips bits of one byte `fromEnd` bytes before the end of its part; returns the backup id. */
  async function damagedBackup(part: 'database' | 'files', fromEnd: number, bits: number): Promise<string> {
    const r = await runAgent(['backup', 'run'], env);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    const id = String(r.result?.['backupId']);
    const key = partKey('it', tenant, id, part);
    const bytes = await readObject(key);
    bytes[bytes.length - fromEnd]! ^= bits;
    await writeObject(key, bytes);
    return id;
  }

  test('KMS unreachable: the backup fails closed, with a clear error, and nothing is uploaded', async () => {
    const before = await keys(tenantPrefix('it', tenant));
    const r = await runAgent(['backup', 'run'], { ...env, TENANTRY_KMS_ENDPOINT: 'http://127.0.0.1:9' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /KMS unreachable at http:\/\/127\.0\.0\.1:9/);
    assert.deepEqual(await keys(tenantPrefix('it', tenant)), before);
  });

  test('S3 connection dropped mid-upload: the job fails, the multipart upload is aborted, no manifest, earlier backups intact', async () => {
    const proxy = await startFlakyProxy(new URL(need('TENANTRY_S3_ENDPOINT')), { tripAfterBytes: 256 * 1024, maxBodyBytes: 64 * 1024 });
    try {
      // Enough data that the files part is a real multipart upload (several 16 MiB parts).
      const big = join(files, 'uploads', 'big.bin');
      writeFileSync(
        big,
        Buffer.alloc(40 * 1024 * 1024, 1).map((_, i) => (i * 2654435761) >>> 24),
      );
      const r = await runAgent(['backup', 'run'], { ...env, TENANTRY_S3_ENDPOINT: proxy.url });
      unlinkSync(big);
      assert.equal(r.code, 1, 'the backup must fail');
      assert.ok(proxy.cuts() > 0, 'the proxy cut an upload');
      const left = await keys(tenantPrefix('it', tenant));
      assert.deepEqual(
        left.filter((k) => !k.includes(`/${good}/`)),
        [],
        `objects of the failed backup remain: ${left.join(', ')}`,
      );
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket(), Prefix: tenantPrefix('it', tenant) }));
      assert.deepEqual(uploads.Uploads ?? [], [], 'a multipart upload was left open');
    } finally {
      await proxy.close();
    }
    const verify = await runAgent(['backup', 'verify', good], env);
    assert.equal(verify.code, 0, verify.stderr.slice(-2000));
  });

  test('a flipped byte is found by verify (naming the chunk) and a restore of it leaves the live database as it was', async () => {
    const id = await damagedBackup('database', 40, 0x01);
    const verify = await runAgent(['backup', 'verify', id], env);
    assert.equal(verify.code, 1);
    assert.match(verify.stderr, /SHA-256|chunk \d+/);
    await sql(db, 'DELETE FROM notes WHERE id = 7;');
    const restore = await runAgent(['restore', '--tenant', tenant, '--backup', id], env);
    assert.equal(restore.code, 1);
    assert.equal(await countNotes(db), 499, 'the live database changed although the restore failed');
    const dbs = await sql(db, "SELECT datname FROM pg_database WHERE datname LIKE 'app_faults%';", 'postgres');
    assert.equal(dbs.trim(), 'app_faults', `scratch databases left behind: ${dbs}`);
  });

  test("backups compressed by the agent's zstd and by the zstd program restore through either decoder", async () => {
    const inAgent = { TENANTRY_EXTERNAL_ZSTD: 'false' };
    for (const [written, read] of [
      [inAgent, {}],
      [{}, inAgent],
    ] as const) {
      const backup = await runAgent(['backup', 'run'], { ...env, ...written });
      assert.equal(backup.code, 0, backup.stderr.slice(-2000));
      const before = await countNotes(db);
      await sql(db, 'DELETE FROM notes WHERE id = 11;');
      unlinkSync(join(files, 'readme.txt'));
      const restore = await runAgent(['restore', '--tenant', tenant, '--backup', String(backup.result?.['backupId'])], { ...env, ...read });
      assert.equal(restore.code, 0, restore.stderr.slice(-2000));
      assert.equal(await countNotes(db), before);
      assert.equal(readFileSync(join(files, 'readme.txt'), 'utf8'), 'hello\n');
    }
  });

  test('a damaged files part stops the whole restore: the database loaded fine but is not swapped in either', async () => {
    const id = await damagedBackup('files', 30, 0x04);
    const before = await countNotes(db);
    await sql(db, 'DELETE FROM notes WHERE id = 9;');
    const restore = await runAgent(['restore', '--tenant', tenant, '--backup', id], env);
    assert.equal(restore.code, 1);
    assert.match(restore.stderr, /SHA-256|chunk \d+|failed authentication/);
    assert.equal(await countNotes(db), before - 1, 'the database was swapped in although the files part failed');
    const dbs = await sql(db, "SELECT datname FROM pg_database WHERE datname LIKE 'app_faults%';", 'postgres');
    assert.equal(dbs.trim(), 'app_faults', `scratch databases left behind: ${dbs}`);
    assert.equal(readFileSync(join(files, 'readme.txt'), 'utf8'), 'hello\n');
  });

  test('a flipped byte with matching hashes is still caught by the GCM tag, naming the chunk', async () => {
    const r = await runAgent(['backup', 'run'], env);
    const id = String(r.result?.['backupId']);
    const clients = createAgentClients(settingsFromEnv(env));
    try {
      const m = await clients.store.manifest(id);
      const part = m.parts.find((p) => p.name === 'files')!;
      const bytes = await readObject(part.key);
      bytes[bytes.length - 100]! ^= 0x80;
      await writeObject(part.key, bytes);
      // An attacker who can rewrite the manifest too: hashes match, only the authentication tag can tell.
      const { createHash } = await import('node:crypto');
      part.ciphertextSha256 = createHash('sha256').update(bytes).digest('hex');
      await writeObject(`${tenantPrefix('it', tenant)}${id}/manifest.json`, JSON.stringify(m));
      const verify = await runAgent(['backup', 'verify', id], env);
      assert.equal(verify.code, 1);
      assert.match(verify.stderr, /chunk \d+ failed authentication/);
    } finally {
      clients.close();
    }
  });

  test('a truncated object is reported as truncated', async () => {
    const r = await runAgent(['backup', 'run'], env);
    const id = String(r.result?.['backupId']);
    const key = partKey('it', tenant, id, 'files');
    const bytes = await readObject(key);
    await writeObject(key, bytes.subarray(0, bytes.length - 1000));
    const verify = await runAgent(['backup', 'verify', id], env);
    assert.equal(verify.code, 1);
    assert.match(verify.stderr, /truncat|SHA-256/);
  });

  test("a part of another backup put in place of this one's is refused by its encryption context", async () => {
    const a = String((await runAgent(['backup', 'run'], env)).result?.['backupId']);
    const b = String((await runAgent(['backup', 'run'], env)).result?.['backupId']);
    const clients = createAgentClients(settingsFromEnv(env));
    try {
      // Copy a's database part over b's and fix b's manifest hashes so only the context can tell.
      const from = partKey('it', tenant, a, 'database');
      const to = partKey('it', tenant, b, 'database');
      await s3.send(new CopyObjectCommand({ Bucket: bucket(), Key: to, CopySource: `${bucket()}/${from}` }));
      const ma = await clients.store.manifest(a);
      const mb = await clients.store.manifest(b);
      const pa = ma.parts.find((p) => p.name === 'database')!;
      mb.parts = mb.parts.map((p) => (p.name === 'database' ? { ...pa, key: to } : p));
      await writeObject(`${tenantPrefix('it', tenant)}${b}/manifest.json`, JSON.stringify(mb));
      const verify = await runAgent(['backup', 'verify', b], env);
      assert.equal(verify.code, 1);
      assert.match(verify.stderr, /encryption context .*another tenant or backup/);
    } finally {
      clients.close();
    }
  });

  test("another tenant's backup copied under this tenant's prefix cannot be restored into it", async () => {
    const other = `agent-intruder-${RUN}`;
    const src = tenantPrefix('it', tenant);
    const dst = tenantPrefix('it', other);
    for (const k of await keys(`${src}${good}/`)) {
      const body = k.endsWith('manifest.json')
        ? (await readObject(k)).toString('utf8').replaceAll(`"tenant": "${tenant}"`, `"tenant": "${other}"`).replaceAll(src, dst)
        : await readObject(k);
      await writeObject(k.replace(src, dst), body);
    }
    const rows = await countNotes(db);
    const r = await runAgent(['restore', '--tenant', other, '--backup', good], { ...env, TENANTRY_TENANT: other });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /encryption context/);
    assert.equal(await countNotes(db), rows, 'the live database changed although the restore was refused');
  });
});

describe('retention', () => {
  test("pruning one tenant never touches another tenant's backups in the same bucket, and keeps the newest verified", async () => {
    const db = dbTarget('postgres', 'app_retention');
    await seedDatabase(db, 50);
    const files = seedFiles();
    try {
      const envA = agentEnv(`keep-a-${RUN}`, db, files, { TENANTRY_RETENTION: JSON.stringify({ keepLast: 1 }) });
      const envB = agentEnv(`keep-b-${RUN}`, db, files, { TENANTRY_RETENTION: JSON.stringify({ keepLast: 1 }) });
      const day = (n: number) => () => new Date(Date.UTC(2026, 10, n, 2, 0, 0));
      for (const [env, days] of [
        [envA, [20, 21, 22]],
        [envB, [20, 21]],
      ] as const) {
        const s = settingsFromEnv(env);
        const c = createAgentClients(s);
        try {
          for (const d of days) await runBackup(s, c, quiet, day(d));
        } finally {
          c.close();
        }
      }
      const sA = settingsFromEnv(envA);
      const cA = createAgentClients(sA);
      try {
        const dry = await pruneBackups(sA, cA, quiet, { dryRun: true, now: new Date(Date.UTC(2026, 10, 23)) });
        assert.equal(dry.removed.length, 2);
        assert.equal((await cA.store.list()).length, 3, 'a dry run removed something');
        const done = await pruneBackups(sA, cA, quiet, { dryRun: false, now: new Date(Date.UTC(2026, 10, 23)) });
        assert.deepEqual(
          done.removed.map((r) => r.id.slice(0, 8)),
          ['20261121', '20261120'],
        );
        const left = await cA.store.list();
        assert.deepEqual(
          left.map((b) => b.backupId.slice(0, 8)),
          ['20261122'],
        );
      } finally {
        cA.close();
      }
      const cB = createAgentClients(settingsFromEnv(envB));
      try {
        assert.equal((await cB.store.list()).length, 2, "tenant B's backups were touched");
      } finally {
        cB.close();
      }
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
  });
});

describe('scoped S3 identities', () => {
  test("a tenant's own S3 identity cannot read or write another tenant's backups", async (t) => {
    const scoped = JSON.parse(need('TENANTRY_S3_SCOPED')) as Record<
      string,
      { accessKeyId: string; secretAccessKey: string; bucket: string; prefix: string }
    >;
    const a = scoped['tenant-a'];
    const b = scoped['tenant-b'];
    if (!a || !b) return t.skip('the S3 server has no scoped identities');
    const { createS3Client } = await import('../../src/cloud/s3.js');
    const asA = createS3Client({
      region: need('TENANTRY_AWS_REGION'),
      endpoint: need('TENANTRY_S3_ENDPOINT'),
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    });
    try {
      await s3.send(new PutObjectCommand({ Bucket: b.bucket, Key: `${b.prefix}secret.txt`, Body: 'b' }));
      await asA.send(new PutObjectCommand({ Bucket: a.bucket, Key: `${a.prefix}mine.txt`, Body: 'a' }));
      await assert.rejects(asA.send(new GetObjectCommand({ Bucket: b.bucket, Key: `${b.prefix}secret.txt` })), /Access ?Denied|Forbidden/i);
      await assert.rejects(
        asA.send(new PutObjectCommand({ Bucket: b.bucket, Key: `${b.prefix}planted.txt`, Body: 'x' })),
        /Access ?Denied|Forbidden/i,
      );
    } finally {
      asA.destroy();
    }
  });
});
