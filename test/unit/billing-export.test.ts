// The billing export's own code: the tar writer and reader (checked against GNU tar), the CSV
// record counter, the manifest, the path rules, the settings, and the upload's part sizes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { csvField, csvLine, CsvRecordCounter } from '../../src/billing/csv.js';
import { BILLING_MANIFEST_FORMAT, parseManifest, serializeManifest, type BillingManifest } from '../../src/billing/manifest.js';
import { collectFiles, normalizeBillingPath } from '../../src/billing/paths.js';
import { billingExportKey } from '../../src/billing/run-export.js';
import { billingSettingsFromEnv } from '../../src/billing/settings.js';
import { splitTableName } from '../../src/billing/tables.js';
import { END_OF_ARCHIVE, entryHeader, isSafeMemberName, readTar, writeBufferEntry, writeStreamEntry } from '../../src/billing/tar.js';
import { partSize } from '../../src/billing/upload.js';
import { SettingsError } from '../../src/backup/settings.js';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const work = mkdtempSync(join(tmpdir(), 'tenantry-billing-unit-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Collects everything written to a PassThrough. */
async function collect(write: (out: PassThrough) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write(out);
  out.end();
  await new Promise((r) => out.once('end', r));
  return Buffer.concat(chunks);
}

async function* once(b: Buffer): AsyncIterable<Buffer> {
  // Odd-sized pieces, so the reader's block assembly is exercised.
  for (let i = 0; i < b.length; i += 777) yield b.subarray(i, i + 777);
}

const LONG = `files/${'deep/'.repeat(30)}invoice.pdf`;
const MEMBERS: [string, Buffer][] = [
  ['tables/public.invoices.csv', Buffer.from('"id","total"\n"1","9.50"\n')],
  ['files/uploads/Rechnung März.pdf', Buffer.alloc(1500, 3)],
  [LONG, Buffer.alloc(0)],
  ['manifest.json', Buffer.from('{}\n')],
];
const MTIME = new Date('2026-12-01T10:00:00Z');

async function sampleArchive(): Promise<Buffer> {
  return collect(async (out) => {
    for (const [name, data] of MEMBERS.slice(0, 2))
      await writeStreamEntry(out, { name, size: data.length, mtime: MTIME }, Readable.from([data]));
    for (const [name, data] of MEMBERS.slice(2)) await writeBufferEntry(out, name, data, MTIME);
    out.write(END_OF_ARCHIVE);
  });
}

describe('tar', () => {
  test('GNU tar lists and extracts what the writer wrote: long and non-ASCII names through pax, contents byte for byte', async () => {
    const archive = await sampleArchive();
    assert.equal(archive.length % 512, 0);
    const file = join(work, 'sample.tar');
    writeFileSync(file, archive);
    const list = spawnSync('tar', ['-tf', file], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(
      list.stdout.trim().split('\n'),
      MEMBERS.map(([n]) => n),
    );
    const dir = join(work, 'extracted');
    mkdirSync(dir);
    const x = spawnSync('tar', ['-xf', file, '-C', dir], { encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    for (const [name, data] of MEMBERS) assert.equal(sha(readFileSync(join(dir, name))), sha(data), name);
    const verbose = spawnSync('tar', ['--utc', '-tvf', file, 'manifest.json'], { encoding: 'utf8' });
    assert.match(verbose.stdout, /2026-12-01 10:00/);
  });

  test('the reader gives every member with its hash and keeps only the members asked for', async () => {
    const members = await readTar(once(await sampleArchive()), (n) => n === 'manifest.json');
    assert.deepEqual(
      members.map((m) => [m.name, m.size, m.sha256]),
      MEMBERS.map(([n, d]) => [n, d.length, sha(d)]),
    );
    assert.equal(members.find((m) => m.name === 'manifest.json')?.data?.toString(), '{}\n');
    assert.equal(members[0]!.data, undefined);
  });

  test('the reader refuses a damaged header, a cut-off archive and a member that is not a regular file', async () => {
    const archive = await sampleArchive();
    const damaged = Buffer.from(archive);
    damaged[10] = damaged[10]! ^ 1;
    await assert.rejects(
      readTar(once(damaged), () => false),
      /checksum mismatch/,
    );
    await assert.rejects(
      readTar(once(archive.subarray(0, 2048)), () => false),
      /cut off/,
    );
    const link = entryHeader({ name: 'x', size: 0, mtime: MTIME });
    link[156] = '2'.charCodeAt(0);
    // Recompute the checksum so only the type is wrong.
    link.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of link) sum += b;
    link.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
    await assert.rejects(
      readTar(once(Buffer.concat([link, END_OF_ARCHIVE])), () => false),
      /not a regular file/,
    );
  });

  test('a stream that is shorter or longer than its header said fails the member', async () => {
    await assert.rejects(
      collect((out) => writeStreamEntry(out, { name: 'a', size: 10, mtime: MTIME }, Readable.from([Buffer.alloc(5)]))),
      /shrank while it was read \(5 of 10 bytes\)/,
    );
    await assert.rejects(
      collect((out) => writeStreamEntry(out, { name: 'a', size: 4, mtime: MTIME }, Readable.from([Buffer.alloc(5)]))),
      /grew while it was read/,
    );
  });

  test('member names must be safe relative paths', () => {
    for (const bad of ['', '/etc/passwd', 'a/../b', './a', 'a//b', 'a/', 'a\0b']) assert.equal(isSafeMemberName(bad), false, bad);
    assert.equal(isSafeMemberName('files/a b/c.pdf'), true);
    assert.throws(() => entryHeader({ name: '../x', size: 1, mtime: MTIME }), /not a safe relative path/);
  });
});

describe('CSV', () => {
  async function count(chunks: string[]): Promise<CsvRecordCounter> {
    const c = new CsvRecordCounter();
    c.resume();
    const done = new Promise<void>((resolve, reject) => {
      c.once('end', resolve);
      c.once('error', reject);
    });
    for (const ch of chunks) c.write(Buffer.from(ch));
    c.end();
    await done;
    return c;
  }

  test('counts rows after the header; a newline or quote inside a quoted field, split across chunks, is not a row', async () => {
    const c = await count(['"id","note"\n1,"two\n', 'lines ""quoted"""\n2,', 'plain\n']);
    assert.equal(c.records, 3);
    assert.equal(c.rows, 2);
  });

  test('a header only is zero rows; a last line without its newline still counts', async () => {
    assert.equal((await count(['"id"\n'])).rows, 0);
    assert.equal((await count(['"id"\n1\n2'])).rows, 2);
  });

  test('an unterminated quoted field or an empty stream fails', async () => {
    await assert.rejects(count(['"id"\n"cut off']), /ends inside a quoted field/);
    await assert.rejects(count([]), /no header line/);
  });

  test('fields are always quoted, quotes doubled', () => {
    assert.equal(csvField('a"b'), '"a""b"');
    assert.equal(csvLine(['id', 'said "hi", twice']), '"id","said ""hi"", twice"\n');
  });
});

describe('manifest', () => {
  const m: BillingManifest = {
    format: BILLING_MANIFEST_FORMAT,
    tenant: 'acme',
    uid: 'u-1',
    region: 'eu-west-1',
    databaseEngine: 'postgres',
    tables: [{ name: 'invoices', member: 'tables/invoices.csv', rows: 2, bytes: 20, sha256: sha('x') }],
    files: [{ path: 'a.pdf', member: 'files/a.pdf', bytes: 1, sha256: sha('y'), modifiedAt: MTIME.toISOString() }],
    exportedAt: MTIME.toISOString(),
    retainUntil: new Date(MTIME.getTime() + 2557 * 86400_000).toISOString(),
  };

  test('round-trips', () => assert.deepEqual(parseManifest(serializeManifest(m)), m));

  test('refuses what is not a complete manifest, naming the problem', () => {
    const bad = (patch: Record<string, unknown>) => Buffer.from(JSON.stringify({ ...m, ...patch }));
    assert.throws(() => parseManifest(Buffer.from('{')), /not JSON/);
    assert.throws(() => parseManifest(bad({ format: 'other' })), /not a tenantry.io\/billing-export\/v1 manifest/);
    assert.throws(() => parseManifest(bad({ uid: '' })), /uid is missing/);
    assert.throws(() => parseManifest(bad({ retainUntil: 'soon' })), /not a timestamp/);
    assert.throws(() => parseManifest(bad({ tables: [{ ...m.tables[0], sha256: 'zz' }] })), /tables\[0\].sha256/);
    assert.throws(() => parseManifest(bad({ files: [{ ...m.files[0], member: '../a' }] })), /files\[0\].member/);
  });

  test('the archive key is per tenant and uid', () => assert.equal(billingExportKey('acme', 'u-1'), 'billing/acme/u-1/export.tar'));
});

describe('paths', () => {
  test('normalized relative paths; absolute and .. refused', () => {
    assert.equal(normalizeBillingPath('./invoices//2026/'), 'invoices/2026');
    assert.equal(normalizeBillingPath('.'), '.');
    assert.throws(() => normalizeBillingPath('/etc'), /relative/);
    assert.throws(() => normalizeBillingPath('a/../../etc'), /must not contain \.\./);
  });

  test('folders are walked sorted, overlaps listed once; a missing path or a symlink fails naming it', async () => {
    const root = join(work, 'volume');
    mkdirSync(join(root, 'invoices', '2026'), { recursive: true });
    writeFileSync(join(root, 'invoices', '2026', 'b.pdf'), 'b');
    writeFileSync(join(root, 'invoices', 'a.pdf'), 'a');
    writeFileSync(join(root, 'other.txt'), 'o');
    const files = await collectFiles(root, ['invoices', 'invoices/2026/b.pdf']);
    assert.deepEqual(
      files.map((f) => [f.path, f.size]),
      [
        ['invoices/2026/b.pdf', 1],
        ['invoices/a.pdf', 1],
      ],
    );
    await assert.rejects(collectFiles(root, ['ledger']), /path "ledger" does not exist in the files volume/);
    symlinkSync('/etc', join(root, 'invoices', 'link'));
    await assert.rejects(collectFiles(root, ['invoices']), /invoices\/link \(of path "invoices"\) is a symlink/);
  });
});

describe('settings', () => {
  const base = {
    TENANTRY_TENANT: 'acme',
    TENANTRY_REGION: 'eu-west-1',
    TENANTRY_BACKUP_BUCKET: 'backups',
    TENANTRY_KMS_KEY_ID: 'alias/tenant-acme',
    TENANTRY_FILES_DIR: '/files',
    DATABASE_ENGINE: 'postgres',
    DATABASE_HOST: 'db',
    DATABASE_NAME: 'app',
    DATABASE_USER: 'app',
    DATABASE_PASSWORD: 'pw',
    TENANTRY_ARCHIVE_BUCKET: 'archive',
    TENANTRY_BILLING_KMS_KEY_ID: 'alias/billing',
    TENANTRY_BILLING_RETAIN_DAYS: '2557',
    TENANTRY_TENANT_UID: 'u-1',
    TENANTRY_BILLING_TABLES: '["invoices","billing.payments"]',
    TENANTRY_BILLING_PATHS: '["invoices, 2026"]',
  };

  test('reads the lists as JSON (a path may hold a comma)', () => {
    const s = billingSettingsFromEnv(base);
    assert.deepEqual(s.tables, ['invoices', 'billing.payments']);
    assert.deepEqual(s.paths, ['invoices, 2026']);
    assert.equal(s.retainDays, 2557);
    assert.equal(s.agent.database?.engine, 'postgres');
  });

  test('refuses missing settings, the tenant key as billing key, a bad day count and nothing to export', () => {
    const bad = (patch: Record<string, string | undefined>, re: RegExp) =>
      assert.throws(
        () => billingSettingsFromEnv({ ...base, ...patch }),
        (e: Error) => e instanceof SettingsError && re.test(e.message),
      );
    bad({ TENANTRY_ARCHIVE_BUCKET: undefined, TENANTRY_TENANT_UID: undefined }, /TENANTRY_ARCHIVE_BUCKET, TENANTRY_TENANT_UID/);
    bad({ TENANTRY_BILLING_KMS_KEY_ID: 'alias/tenant-acme' }, /the tenant's own backup key/);
    bad({ TENANTRY_BILLING_RETAIN_DAYS: '7y' }, /not a whole number of days/);
    bad({ TENANTRY_BILLING_TABLES: '', TENANTRY_BILLING_PATHS: '[]' }, /nothing to export/);
    bad({ TENANTRY_BILLING_TABLES: 'invoices' }, /TENANTRY_BILLING_TABLES is not JSON/);
    bad({ DATABASE_ENGINE: undefined }, /names tables, but DATABASE_ENGINE is not set/);
  });
});

test('table names: name or schema.name, nothing that needs quoting', () => {
  assert.deepEqual(splitTableName('invoices', 'public'), { schema: 'public', table: 'invoices' });
  assert.deepEqual(splitTableName('billing.pay$', 'public'), { schema: 'billing', table: 'pay$' });
  for (const bad of ['a.b.c', 'x"; DROP TABLE y', '1abc', 'a b']) assert.throws(() => splitTableName(bad, 'public'), /is not a table name/);
});

test('multipart part size: at least 16 MiB, and never more than 10 000 parts', () => {
  assert.equal(partSize(1), 16 * 1024 * 1024);
  assert.equal(partSize(1024 ** 4), Math.ceil(1024 ** 4 / 10_000));
});
