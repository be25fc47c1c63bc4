// `tenantry backup export-billing` against real PostgreSQL, MariaDB, local-kms and SeaweedFS: two
// tables (one schema-qualified) with the values CSV gets wrong (quotes, commas, line breaks,
// NULL beside the empty string, bytes) and a folder of the files volume become one locked tar in
// the archive bucket; the server keeps it under COMPLIANCE retention for 7 years and refuses to
// delete it; a second run verifies and reuses it; a missing table fails without writing anything;
// an archive too large for one PutObject goes up as a locked multipart upload.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import type { DatabaseTarget } from '../../src/backup/engines/index.js';
import { runMariadb } from '../../src/backup/engines/mariadb.js';
import { runPsql } from '../../src/backup/engines/postgres.js';
import { parseManifest } from '../../src/billing/manifest.js';
import { billingExportKey, runBillingExport } from '../../src/billing/run-export.js';
import { billingSettingsFromEnv } from '../../src/billing/settings.js';
import { readTar, type ReadMember } from '../../src/billing/tar.js';
import { createLogger } from '../../src/log.js';
import { runAgent } from '../support/agent.js';
import { adminS3, agentEnv, dbTarget, need, seedFiles } from '../support/backup-env.js';

const s3 = adminS3();
const RUN = randomBytes(2).toString('hex');
const archive = () => need('TENANTRY_S3_ARCHIVE_BUCKET');
/** The region's billing key: its own key when the environment has one, else the test region's second key (never the tenant's). */
const billingKey = () => process.env.TENANTRY_BILLING_KMS_KEY_ID ?? need('TENANTRY_KMS_KEY_ID_OTHER');
const quiet = createLogger('error');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

after(() => s3.destroy());

/** Parses CSV into records; an unquoted empty field is null (NULL), a quoted one '' (the empty string). */
function parseCsv(text: string): (string | null)[][] {
  const records: (string | null)[][] = [];
  let record: (string | null)[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  const endField = () => {
    record.push(quoted || field !== '' ? field : null);
    field = '';
    quoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else field += ch;
    } else if (ch === '"') {
      inQuotes = true;
      quoted = true;
    } else if (ch === ',') endField();
    else if (ch === '\n') {
      endField();
      records.push(record);
      record = [];
    } else field += ch;
  }
  return records;
}

/** The rows both engines hold, as CSV must give them back: id, customer, total, note (NULL/''), pdf bytes. */
const INVOICES: (string | null)[][] = [
  ['id', 'customer', 'total', 'note', 'pdf'],
  ['1', 'Acme, Inc.', '9.50', null, '\\x0001ff'],
  ['2', 'Say "hi"', '100.00', '', null],
  ['3', 'Zoë\nsecond line', '0.01', 'back\\slash', '\\x'],
];
const PAYMENTS: (string | null)[][] = [
  ['invoice_id', 'paid_at'],
  ['1', '2026-11-30 12:00:00'],
  ['2', '2026-12-01 08:30:00'],
];

async function seed(t: DatabaseTarget): Promise<void> {
  if (t.engine === 'postgres') {
    await runPsql(t, 'postgres', `DROP DATABASE IF EXISTS ${t.database} WITH (FORCE);`);
    await runPsql(t, 'postgres', `CREATE DATABASE ${t.database};`);
    await runPsql(
      t,
      t.database,
      `CREATE TABLE invoices (id int PRIMARY KEY, customer text NOT NULL, total numeric(10,2), note text, pdf bytea);
INSERT INTO invoices VALUES (1, 'Acme, Inc.', 9.5, NULL, '\\x0001ff'::bytea), (2, 'Say "hi"', 100, '', NULL), (3, E'Zo\\u00eb\\nsecond line', 0.01, E'back\\\\slash', ''::bytea);
CREATE SCHEMA billing;
CREATE TABLE billing.payments (invoice_id int, paid_at timestamp(0));
INSERT INTO billing.payments VALUES (1, '2026-11-30 12:00:00'), (2, '2026-12-01 08:30:00');`,
    );
  } else {
    await runMariadb(t, undefined, `DROP DATABASE IF EXISTS ${t.database}; CREATE DATABASE ${t.database} CHARACTER SET utf8mb4;`);
    await runMariadb(
      t,
      t.database,
      `CREATE TABLE invoices (id int PRIMARY KEY, customer text NOT NULL, total decimal(10,2), note text, pdf blob) ENGINE=InnoDB;
INSERT INTO invoices VALUES (1, 'Acme, Inc.', 9.5, NULL, X'0001ff'), (2, 'Say "hi"', 100, '', NULL), (3, 'Zoë\\nsecond line', 0.01, 'back\\\\slash', X'');
CREATE TABLE payments (invoice_id int, paid_at datetime) ENGINE=InnoDB;
INSERT INTO payments VALUES (1, '2026-11-30 12:00:00'), (2, '2026-12-01 08:30:00');`,
    );
  }
}

/** The files volume: invoices/ is exported, the rest of seedFiles() is not. */
function seedVolume(): string {
  const dir = seedFiles();
  mkdirSync(join(dir, 'invoices', '2026'), { recursive: true });
  writeFileSync(join(dir, 'invoices', '2026', 'INV-1.pdf'), Buffer.alloc(70_000, 1));
  writeFileSync(join(dir, 'invoices', 'INV-0 März.pdf'), 'old invoice\n');
  return dir;
}

function billingEnv(tenant: string, uid: string, db: DatabaseTarget, files: string, tables: string[]): Record<string, string> {
  return agentEnv(tenant, db, files, {
    TENANTRY_ARCHIVE_BUCKET: archive(),
    TENANTRY_BILLING_KMS_KEY_ID: billingKey(),
    TENANTRY_BILLING_RETAIN_DAYS: '2557',
    TENANTRY_TENANT_UID: uid,
    TENANTRY_BILLING_TABLES: JSON.stringify(tables),
    TENANTRY_BILLING_PATHS: JSON.stringify(['invoices']),
  });
}

async function readArchive(key: string): Promise<Map<string, ReadMember>> {
  const got = await s3.send(new GetObjectCommand({ Bucket: archive(), Key: key }));
  return new Map((await readTar(got.Body as Readable, () => true)).map((m) => [m.name, m]));
}

/** Checks the server keeps the object under COMPLIANCE for 7 years and refuses to delete it. */
async function assertLocked(key: string, versionId: string | undefined): Promise<void> {
  assert.ok(versionId, 'a locked bucket is versioned: the export has a version id');
  const retention = await s3.send(new GetObjectRetentionCommand({ Bucket: archive(), Key: key, VersionId: versionId }));
  assert.equal(retention.Retention?.Mode, 'COMPLIANCE');
  const sevenYears = new Date();
  sevenYears.setUTCFullYear(sevenYears.getUTCFullYear() + 7);
  assert.ok(
    retention.Retention!.RetainUntilDate!.getTime() >= sevenYears.getTime() - 60_000,
    `retained until ${retention.Retention?.RetainUntilDate?.toISOString()}, less than 7 years`,
  );
  await assert.rejects(s3.send(new DeleteObjectCommand({ Bucket: archive(), Key: key, VersionId: versionId })), (e: Error) => {
    assert.match(e.name, /AccessDenied|InvalidRequest|Forbidden/);
    return true;
  });
  const head = await s3.send(new HeadObjectCommand({ Bucket: archive(), Key: key, VersionId: versionId }));
  assert.equal(head.ServerSideEncryption, 'aws:kms');
  assert.equal(head.ObjectLockMode, 'COMPLIANCE');
}

for (const engine of ['postgres', 'mariadb'] as const) {
  describe(`billing export of a ${engine} tenant`, () => {
    const tenant = `billing-${engine}-${RUN}`;
    const uid = randomUUID();
    const db = dbTarget(engine, `billing_${engine}`);
    const payments = engine === 'postgres' ? 'billing.payments' : `billing_${engine}.payments`;
    let files = '';
    before(async () => {
      await seed(db);
      files = seedVolume();
    });
    after(() => rmSync(files, { recursive: true, force: true }));

    test('two tables and a folder become one locked archive with a manifest; a second run verifies and reuses it', async () => {
      const env = billingEnv(tenant, uid, db, files, ['invoices', payments]);
      const first = await runAgent(['backup', 'export-billing'], env);
      assert.equal(first.code, 0, first.stderr.slice(-3000));
      const key = billingExportKey(tenant, uid);
      assert.equal(first.result?.['key'], key);
      assert.equal(first.result?.['reused'], false);
      assert.equal(first.result?.['method'], 'single');
      assert.match(first.stderr, /"mbPerSecond":/);

      const members = await readArchive(key);
      assert.deepEqual(
        [...members.keys()],
        [
          'tables/invoices.csv',
          `tables/${payments}.csv`,
          'files/invoices/2026/INV-1.pdf',
          'files/invoices/INV-0 März.pdf',
          'manifest.json',
        ],
      );
      assert.deepEqual(parseCsv(members.get('tables/invoices.csv')!.data!.toString('utf8')), INVOICES);
      assert.deepEqual(parseCsv(members.get(`tables/${payments}.csv`)!.data!.toString('utf8')), PAYMENTS);
      assert.deepEqual(members.get('files/invoices/2026/INV-1.pdf')!.data, Buffer.alloc(70_000, 1));

      const manifestData = members.get('manifest.json')!.data!;
      const m = parseManifest(manifestData);
      assert.equal(m.tenant, tenant);
      assert.equal(m.uid, uid);
      assert.equal(m.region, need('TENANTRY_AWS_REGION'));
      assert.equal(m.databaseEngine, engine);
      assert.deepEqual(
        m.tables.map((t) => [t.name, t.rows]),
        [
          ['invoices', 3],
          [payments, 2],
        ],
      );
      for (const e of [...m.tables, ...m.files]) assert.equal(e.sha256, members.get(e.member)!.sha256, e.member);
      assert.deepEqual(
        m.files.map((f) => [f.path, f.bytes]),
        [
          ['invoices/2026/INV-1.pdf', 70_000],
          ['invoices/INV-0 März.pdf', 12],
        ],
      );
      assert.equal(first.result?.['manifestSha256'], sha(manifestData));
      await assertLocked(key, first.result?.['versionId'] as string | undefined);

      // A restarted export finds the key, verifies it, and writes nothing.
      const second = await runAgent(['backup', 'export-billing'], env);
      assert.equal(second.code, 0, second.stderr.slice(-3000));
      assert.equal(second.result?.['reused'], true);
      assert.equal(second.result?.['manifestSha256'], first.result?.['manifestSha256']);
      assert.equal(second.result?.['versionId'], first.result?.['versionId']);
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: archive(), Prefix: key }));
      assert.equal(versions.Versions?.filter((v) => v.Key === key).length, 1);
      assert.equal(versions.DeleteMarkers?.length ?? 0, 0);
    });

    test('a missing table fails naming it, and nothing is written', async () => {
      const otherUid = randomUUID();
      const r = await runAgent(['backup', 'export-billing'], billingEnv(tenant, otherUid, db, files, ['invoices', 'invoicez']));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /table invoicez does not exist/);
      await assert.rejects(
        s3.send(new HeadObjectCommand({ Bucket: archive(), Key: billingExportKey(tenant, otherUid) })),
        /NotFound|NoSuchKey/,
      );
    });
  });
}

test('an archive larger than one PutObject is uploaded as a locked multipart upload, then reused', async () => {
  const tenant = `billing-large-${RUN}`;
  const uid = randomUUID();
  const db = dbTarget('postgres', 'billing_postgres');
  const files = seedVolume();
  const big = randomBytes(12 * 1024 * 1024);
  writeFileSync(join(files, 'invoices', 'scan.tiff'), big);
  try {
    const settings = billingSettingsFromEnv({ ...billingEnv(tenant, uid, db, files, []), TENANTRY_BILLING_TABLES: '' });
    const first = await runBillingExport(s3, settings, quiet, { singlePutMaxBytes: 5 * 1024 * 1024 });
    assert.equal(first.method, 'multipart');
    assert.ok(first.bytes > big.length);
    const members = await readArchive(first.key);
    assert.equal(members.get('files/invoices/scan.tiff')?.sha256, sha(big));
    await assertLocked(first.key, first.versionId);
    const again = await runBillingExport(s3, settings, quiet, { singlePutMaxBytes: 5 * 1024 * 1024 });
    assert.equal(again.reused, true);
    assert.equal(again.manifestSha256, first.manifestSha256);
  } finally {
    rmSync(files, { recursive: true, force: true });
  }
});
